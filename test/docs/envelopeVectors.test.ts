import assert from 'node:assert/strict'
import { createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import {
  decodeEnvelope,
  encodeEnvelope,
  envelopeSignatureValid,
  envelopeSigningBytes,
} from '../../src/adapters/transport-grpc/index.ts'
import { decodeMessage } from '../../src/core/wire/decodeMessage.ts'

const page = readFileSync(new URL('../../docs/wire-format.md', import.meta.url), 'utf8')
const section = page.slice(page.indexOf('## Envelope (gRPC)'), page.indexOf('## Test vectors'))

function fenced(info: string): string {
  const match = section.match(new RegExp(`\`\`\`${info}\\n([\\s\\S]*?)\`\`\``))
  assert.ok(match, `the envelope section has a \`\`\`${info} block`)
  return match[1]!
}
const hex = (info: string) => Buffer.from(fenced(info).replace(/\s+/g, ''), 'hex')

describe('docs/wire-format.md: the envelope vector', () => {
  const envelopeBytes = hex('hex envelope')
  const envelope = decodeEnvelope(envelopeBytes, 1 << 20)
  const fields = JSON.parse(fenced('json')) as Record<string, unknown>

  it('decodes to the listed fields, and encodes back to the same bytes', () => {
    const { payload, signature: _, ...rest } = envelope
    const { payload: payloadJson, ...expected } = fields
    assert.deepEqual(rest, expected)
    assert.deepEqual(decodeMessage(payload), payloadJson)
    assert.deepEqual(Buffer.from(encodeEnvelope(envelope)), envelopeBytes)
  })

  it('the signing bytes are what the page says, and the signature verifies under the test key', () => {
    assert.deepEqual(Buffer.from(envelopeSigningBytes(envelope)), hex('hex signing'))
    const key = createPublicKey(fenced('pem'))
    assert.ok(envelopeSignatureValid(envelope, key))
    // A control: the same envelope with another run no longer verifies.
    assert.ok(!envelopeSignatureValid({ ...envelope, run: 'job-2' }, key))
  })
})
