import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { paymentRoundSchema } from '../../src/core/deploy/paymentMessages.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { fitInstructionSchema, fitResultSchema } from '../../src/core/fl/messages.ts'
import { decodeMessage } from '../../src/core/wire/decodeMessage.ts'
import { encodeMessage } from '../../src/core/wire/encodeMessage.ts'

// docs/wire-format.md is a spec another implementation follows: its vectors must be what the
// codec really does, so this test reads them from the page itself.

const PAGE = 'docs/wire-format.md'
const page = readFileSync(PAGE, 'utf8')

/** The `### ` sections below a `## ` heading, with their title and text. */
function sections(heading: string): { title: string; text: string }[] {
  const start = page.indexOf(`\n## ${heading}\n`)
  assert.ok(start >= 0, `${PAGE} has a "## ${heading}" section`)
  const rest = page.slice(start + heading.length + 5)
  const body = rest.slice(0, rest.search(/\n## |$/))
  return body
    .split(/\n### /)
    .slice(1)
    .map((part) => ({ title: part.slice(0, part.indexOf('\n')), text: part }))
}

/** The one fenced block of `language` in a section. */
function block(text: string, language: string, title: string): string {
  const blocks = [...text.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))]
  assert.equal(blocks.length, 1, `"${title}" has one \`\`\`${language} block`)
  return blocks[0]![1]!
}

/** Hex with `#` comments and whitespace removed. */
function hexBytes(text: string): string {
  const hex = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').replace(/\s+/g, ''))
    .join('')
  assert.match(hex, /^([0-9a-f]{2})*$/, 'hex is pairs of lower-case digits')
  return hex
}

/** The page's extended JSON (one-key `$` objects for bigints, typed arrays, special numbers). */
function fromNotation(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromNotation)
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value)
  const [key, inner] = entries[0] ?? []
  if (entries.length === 1 && key?.startsWith('$')) {
    switch (key) {
      case '$bigint':
        return BigInt(inner as string)
      case '$number':
        return Number(inner as string)
      case '$float64array':
        return Float64Array.from(inner as number[])
      case '$float32array':
        return Float32Array.from(inner as number[])
      case '$int32array':
        return Int32Array.from(inner as number[])
      case '$uint8array':
        return Uint8Array.from(Buffer.from(inner as string, 'hex'))
      default:
        assert.fail(`unknown notation ${key}`)
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, fromNotation(v)]))
}

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe(`${PAGE}: test vectors`, () => {
  const vectors = sections('Test vectors')

  it('has the vectors the spec promises', () => {
    assert.ok(vectors.length >= 5, `${vectors.length} vectors`)
    const texts = vectors.map((v) => v.text).join('\n')
    for (const tag of ['$float64array', '$bigint', '$float32array', '$int32array', '$uint8array'])
      assert.ok(texts.includes(tag), `a vector uses ${tag}`)
  })

  for (const { title, text } of vectors) {
    it(`${title}: encode(value) is the hex, decode(hex) is the value`, () => {
      const value = fromNotation(JSON.parse(block(text, 'json', title)))
      const hex = hexBytes(block(text, 'hex', title))
      assert.equal(hexOf(encodeMessage(value)), hex)
      const decoded = decodeMessage(Buffer.from(hex, 'hex'))
      assert.deepStrictEqual(decoded, value)
    })
  }

  it('the fit request and result and the payment round are real protocol messages (their schemas accept them)', () => {
    const value = (title: string) => {
      const vector = vectors.find((v) => v.title === title)
      assert.ok(vector, title)
      return decodeMessage(Buffer.from(hexBytes(block(vector.text, 'hex', title)), 'hex'))
    }
    assert.ok(fitInstructionSchema.safeParse(value('A FedAvg fit request')).success)
    assert.ok(fitResultSchema.safeParse(value('A FedAvg fit result')).success)
    assert.ok(paymentRoundSchema.safeParse(value('An ADRM payment round')).success)
  })
})

describe(`${PAGE}: refused inputs`, () => {
  const refused = sections('Refused inputs')

  it('lists refusals', () => assert.ok(refused.length >= 10, `${refused.length} refusals`))

  for (const { title, text } of refused) {
    it(`${title}: refused with the error shown`, () => {
      const expected = /\nError: `([^`]+)`/.exec(text)?.[1]
      assert.ok(expected, `"${title}" shows its error`)
      const bytes = Buffer.from(hexBytes(block(text, 'hex', title)), 'hex')
      assert.throws(
        () => decodeMessage(bytes),
        (error: unknown) =>
          error instanceof MsflError &&
          error.code === 'CODEC' &&
          error.message.startsWith(expected),
      )
    })
  }
})

describe(`${PAGE}: the limits it states`, () => {
  const nested = (levels: number): unknown => (levels === 1 ? [] : [nested(levels - 1)])
  const bytesOfNested = (levels: number) =>
    Buffer.from(`4d53464c01${'0501000000'.repeat(levels - 1)}0500000000`, 'hex')

  it('65 nested arrays are accepted and 66 refused, by the encoder and the decoder', () => {
    assert.deepStrictEqual(decodeMessage(bytesOfNested(65)), nested(65))
    assert.equal(hexOf(encodeMessage(nested(65))), hexOf(bytesOfNested(65)))
    assert.throws(() => decodeMessage(bytesOfNested(66)), /nesting deeper than 64/)
    assert.throws(() => encodeMessage(nested(66)), /nesting deeper than 64/)
  })

  it('an array of 300,000 nulls is refused by the memory budget, the same values as bytes are not', () => {
    const nulls = Buffer.alloc(10 + 300_000)
    Buffer.from('4d53464c0105', 'hex').copy(nulls)
    nulls.writeUInt32LE(300_000, 6)
    assert.throws(
      () => decodeMessage(nulls),
      /decoding would take more than 3× the message's 300010 bytes/,
    )
    const vector = encodeMessage(new Uint8Array(300_000))
    assert.equal((decodeMessage(vector) as Uint8Array).length, 300_000)
  })

  it('maxBytes refuses a longer input before reading it', () => {
    // Magic and version (5), tag (1), length (4), "hello" (5): 15 bytes.
    assert.throws(
      () => decodeMessage(encodeMessage('hello'), { maxBytes: 10 }),
      /message of 15 bytes exceeds the limit of 10/,
    )
    assert.equal(decodeMessage(encodeMessage('hello'), { maxBytes: 15 }), 'hello')
  })

  it('NaN is written as 000000000000f87f, and other NaN patterns are accepted', () => {
    assert.equal(hexOf(encodeMessage(Number.NaN)), '4d53464c0103000000000000f87f')
    assert.ok(Number.isNaN(decodeMessage(Buffer.from('4d53464c0103010000000000f0ff', 'hex'))))
  })

  it('bigints: leading zero bytes, an empty magnitude and a negative zero decode', () => {
    assert.equal(decodeMessage(Buffer.from('4d53464c010b00020000000001', 'hex')), 1n)
    assert.equal(decodeMessage(Buffer.from('4d53464c010b0000000000', 'hex')), 0n)
    assert.equal(decodeMessage(Buffer.from('4d53464c010b010100000000', 'hex')), 0n)
  })

  it('the message-type table lists exactly the types each schema file declares', () => {
    const table = page.slice(page.indexOf('## Message types'), page.indexOf('## Envelope (gRPC)'))
    const rows = [
      ...table.matchAll(/^\| (`[^|]+`) \| [^|]+ \| \[[^\]]+\]\(\.\.\/(src\/[^)]+)\) \|$/gm),
    ]
    assert.equal(rows.length, 9)
    for (const [, types, file] of rows) {
      const listed = [...types!.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]).sort()
      const source = readFileSync(file!, 'utf8')
      const declared = [
        ...source.matchAll(/messageSchema\('([a-z-]+)'|type: z\.literal\('([a-z-]+)'\)/g),
      ]
        .map((m) => m[1] ?? m[2])
        .sort()
      assert.deepEqual(listed, [...new Set(declared)], String(file))
    }
  })

  it('has an "Envelope (gRPC)" section', () => assert.match(page, /\n## Envelope \(gRPC\)\n/))
})
