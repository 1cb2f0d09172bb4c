import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { readOwnerCsv, readTabularSchema } from '../../src/adapters/data/index.ts'
import { encodeOwnerRows } from '../../src/core/data/encodeOwnerRows.ts'
import {
  parseTabularSchema,
  TABULAR_SCHEMA_FORMAT,
  type TabularSchema,
} from '../../src/core/data/tabularSchema.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'

// An owner's CSV is untrusted input: every problem must name the file, the 1-based data row
// (with its line), the column and what is wrong, and no rows may come back.

const SCHEMA: TabularSchema = {
  format: TABULAR_SCHEMA_FORMAT,
  name: 'clinic',
  columns: [
    { name: 'age', kind: 'numeric', range: [0, 120] },
    { name: 'visits', kind: 'numeric', range: [0, Math.log1p(1000)], log1p: true },
    { name: 'ward', kind: 'categorical', categories: ['A', 'B'] },
    { name: 'code', kind: 'categorical', categories: ['x1', 'x2'], unseen: 'refuse' },
  ],
  label: { name: 'outcome', classes: ['healthy', 'sick'], aliases: { ill: 'sick' } },
}

const dir = mkdtempSync(join(tmpdir(), 'msfl-owner-csv-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let fileCount = 0

/** Writes `content` to a fresh file and returns its path. */
function file(content: string | Uint8Array): string {
  const path = join(dir, `owner-${fileCount++}.csv`)
  writeFileSync(path, content)
  return path
}

const HEADER = 'age,visits,ward,code,outcome'
const csv = (...lines: string[]) => `${[HEADER, ...lines].join('\n')}\n`

/** Asserts that reading fails with `code` and a message that is exactly `path: <rest>`. */
async function refuses(
  path: string,
  rest: string,
  schema: TabularSchema = SCHEMA,
  code = 'DATA_FORMAT',
  options: { maxBytes?: number } = {},
) {
  await assert.rejects(readOwnerCsv(path, schema, options), (error: unknown) => {
    assert.ok(error instanceof MsflError, String(error))
    assert.equal(error.code, code)
    assert.equal(error.message, `${path}: ${rest}`)
    return true
  })
}

describe('readOwnerCsv: rows that follow the schema', () => {
  it('matches columns by header name, in any order, and returns them in schema order', async () => {
    const path = file('outcome,code,ward,visits,age\nsick,x2,B,3,41\nhealthy,x1,Z,0,7\n')
    const rows = await readOwnerCsv(path, SCHEMA)
    assert.deepEqual(
      rows.records.map((r) => r.fields),
      [
        ['41', '3', 'B', 'x2', 'sick'],
        ['7', '0', 'Z', 'x1', 'healthy'],
      ],
    )
    assert.deepEqual(
      rows.records.map((r) => r.line),
      [2, 3],
    )
  })

  it('encodes an unseen category of an "unlisted" column into its (unlisted) bucket, and aliases to their class', async () => {
    const rows = await readOwnerCsv(file(csv('30,0,Z,x1,ill', '30,0,A,x1,healthy')), SCHEMA)
    const data = encodeOwnerRows(rows)
    const at = (row: number, name: string) => data.x[row * data.d + data.featureNames.indexOf(name)]
    assert.equal(at(0, 'ward=(unlisted)'), 1)
    assert.equal(at(0, 'ward=A'), 0)
    assert.equal(at(1, 'ward=A'), 1)
    assert.deepEqual([...data.y], [1, 0])
    // log1p(0) = 0 for visits; age stays on its own scale for the agreed scaling.
    assert.equal(at(0, 'age'), 30)
  })

  it('accepts quoted fields, CRLF line ends, blank lines and a byte-order mark', async () => {
    const text = `\uFEFF${HEADER}\r\n"12", 1 ,"A","x""1",sick\r\n\r\n13,2,B,x2,"healthy"\r\n`
    const schema = {
      ...SCHEMA,
      columns: SCHEMA.columns.map((c) =>
        c.name === 'code' ? { ...c, categories: ['x"1', 'x2'] } : c,
      ),
    }
    const rows = await readOwnerCsv(file(text), schema)
    assert.deepEqual(
      rows.records.map((r) => [r.line, ...r.fields]),
      [
        [2, '12', '1', 'A', 'x"1', 'sick'],
        [4, '13', '2', 'B', 'x2', 'healthy'],
      ],
    )
  })

  it('ignores undeclared columns when the schema says so', async () => {
    const path = file('age,visits,ward,code,outcome,note\n5,1,A,x1,sick,whatever\n')
    const rows = await readOwnerCsv(path, { ...SCHEMA, extraColumns: 'ignore' })
    assert.deepEqual(rows.records[0]!.fields, ['5', '1', 'A', 'x1', 'sick'])
  })
})

describe('readOwnerCsv: every refusal names the file, row, column and problem', () => {
  it('a missing column', async () => {
    const path = file('age,visits,ward,outcome\n1,1,A,sick\n')
    await refuses(path, "header (line 1): missing column 'code'")
  })

  it('a missing label column', async () => {
    await refuses(
      file('age,visits,ward,code\n1,1,A,x1\n'),
      "header (line 1): missing label column 'outcome'",
    )
  })

  it('an extra column the schema refuses', async () => {
    await refuses(
      file('age,visits,ward,code,outcome,ssn\n1,1,A,x1,sick,123\n'),
      "header (line 1): column 'ssn' is not in the job's schema (1 undeclared column; the schema refuses extra columns)",
    )
  })

  it('a column named twice, and a nameless column', async () => {
    await refuses(
      file('age,age,visits,ward,code,outcome\n'),
      "header (line 1): column 'age' appears twice",
    )
    await refuses(file('age,,visits,ward,code,outcome\n'), 'header (line 1): column 2 has no name')
  })

  it('a value that is not a number', async () => {
    await refuses(
      file(csv('1,1,A,x1,sick', '2,1,A,x1,sick', 'forty,1,A,x1,sick')),
      "row 3 (line 4), column 'age': not a number ('forty')",
    )
    await refuses(
      file(csv('1,Infinity,A,x1,sick')),
      "row 1 (line 2), column 'visits': not a number ('Infinity')",
    )
  })

  it('an empty value and an empty label', async () => {
    await refuses(file(csv('1,1,,x1,sick')), "row 1 (line 2), column 'ward': empty value")
    await refuses(
      file(csv('1,1,A,x1,sick', '1,1,A,x1,')),
      "row 2 (line 3), column 'outcome': empty label",
    )
  })

  it('an unknown label class', async () => {
    await refuses(
      file(csv('1,1,A,x1,dead')),
      "row 1 (line 2), column 'outcome': unknown label class 'dead' (the job's classes: healthy, sick)",
    )
  })

  it('an unseen category of a column that refuses them', async () => {
    await refuses(
      file(csv('1,1,A,x9,sick')),
      "row 1 (line 2), column 'code': 'x9' is not one of the declared categories",
    )
  })

  it('a negative value in a log-scaled column', async () => {
    await refuses(
      file(csv('1,-2,A,x1,sick')),
      "row 1 (line 2), column 'visits': negative ('-2') but the schema log-scales it",
    )
  })

  it('a row with the wrong number of fields, and broken quoting', async () => {
    await refuses(
      file(csv('1,1,A,x1,sick,extra')),
      'row 1 (line 2): has 6 fields, the header has 5',
    )
    await refuses(
      file(csv('1,1,"A,x1,sick')),
      'row 1 (line 2): field 3 opens a quote it never closes',
    )
    await refuses(
      file(csv('1,1,"A"B,x1,sick')),
      'row 1 (line 2): field 3 has text after its closing quote',
    )
    await refuses(
      file(csv('1,1,A"B,x1,sick')),
      'row 1 (line 2): field 3 has a quote inside an unquoted value',
    )
  })

  it('too few rows for the job, and a file with no header at all', async () => {
    await refuses(
      file(csv('1,1,A,x1,sick', '2,1,A,x1,sick')),
      'too few rows: 2 data rows, the job needs at least 3',
      { ...SCHEMA, minRows: 3 },
    )
    await refuses(file(`${HEADER}\n`), 'too few rows: 0 data rows, the job needs at least 1')
    await refuses(file('\n\n'), 'no header line (the file is empty)')
  })

  it('a file over the size limit, before reading it (a file at the limit is read)', async () => {
    // 28 header characters + LF, 13 row characters + LF: 43 bytes.
    const path = file(csv('1,1,A,x1,sick'))
    await refuses(path, 'file too large (43 bytes, the limit is 42)', SCHEMA, 'DATA_FORMAT', {
      maxBytes: 42,
    })
    assert.equal((await readOwnerCsv(path, SCHEMA, { maxBytes: 43 })).records.length, 1)
  })

  it('bytes that are not UTF-8, with the line they are on', async () => {
    const bytes = Buffer.concat([
      Buffer.from(csv('1,1,A,x1,sick', '2,1,A,x1,sick')),
      Buffer.from([0x33, 0x2c, 0xff, 0x0a]),
    ])
    await refuses(file(bytes), 'line 4: not valid UTF-8 text')
  })

  it('a long value is cut short in the message', async () => {
    await refuses(
      file(csv(`1,1,A,x1,${'s'.repeat(100)}`)),
      `row 1 (line 2), column 'outcome': unknown label class '${'s'.repeat(60)}…' (the job's classes: healthy, sick)`,
    )
  })

  it('a line too long to be a row', async () => {
    await refuses(
      file(csv(`1,1,A,x1,${'s'.repeat(1_100_000)}`)),
      'line 2 is longer than 1048576 characters',
    )
  })

  it('a file that does not exist', async () => {
    const path = join(dir, 'absent.csv')
    await refuses(path, 'cannot be read (ENOENT)', SCHEMA, 'DATA_MISSING')
  })

  it('a bad row anywhere means no rows at all, however many good rows precede it', async () => {
    const good = Array.from({ length: 5000 }, (_, i) => `${i % 100},1,A,x1,sick`)
    await refuses(
      file(csv(...good, '1,1,A,x1,?')),
      "row 5001 (line 5002), column 'outcome': unknown label class '?' (the job's classes: healthy, sick)",
    )
  })
})

describe('the job schema file', () => {
  const schemaFile = (value: unknown) => {
    const path = join(dir, `schema-${fileCount++}.json`)
    writeFileSync(path, JSON.stringify(value))
    return path
  }

  it('round-trips through JSON', async () => {
    assert.deepEqual(
      await readTabularSchema(schemaFile(SCHEMA)),
      JSON.parse(JSON.stringify(SCHEMA)),
    )
  })

  it('names the field at fault', async () => {
    const cases: [unknown, string][] = [
      [{ ...SCHEMA, format: 'csv' }, 'format: Invalid input: expected "msfl-tabular-schema/1"'],
      [{ ...SCHEMA, colour: 'red' }, 'Unrecognized key: "colour"'],
      [
        { ...SCHEMA, columns: [...SCHEMA.columns, SCHEMA.columns[0]] },
        "column 'age' is declared twice",
      ],
      [
        { ...SCHEMA, label: { ...SCHEMA.label, name: 'ward' } },
        "label 'ward' is also declared as an input column",
      ],
      [
        { ...SCHEMA, label: { ...SCHEMA.label, aliases: { ill: 'dying' } } },
        "label.aliases.ill: 'dying' is not one of label.classes",
      ],
      [
        { ...SCHEMA, label: { ...SCHEMA.label, classes: ['sick'] } },
        'label.classes: Too small: expected array to have >=2 items',
      ],
      [
        { ...SCHEMA, columns: [{ name: 'age', kind: 'numeric', range: [5, 1] }] },
        "schema: column 'age' range [5, 1] is not a finite interval with lo < hi",
      ],
      [
        { ...SCHEMA, columns: [{ name: ' age', kind: 'numeric', range: [0, 1] }] },
        'columns.0.name: must not start or end with whitespace',
      ],
    ]
    for (const [value, message] of cases) {
      const path = schemaFile(value)
      await assert.rejects(readTabularSchema(path), (error: unknown) => {
        assert.ok(error instanceof MsflError)
        assert.equal(error.code, 'CONFIG_INVALID')
        assert.equal(error.message, `${path}: ${message}`)
        return true
      })
    }
  })

  it('parseTabularSchema accepts what it is given back', () => {
    assert.deepEqual(
      parseTabularSchema(JSON.parse(JSON.stringify(SCHEMA)), 'x'),
      JSON.parse(JSON.stringify(SCHEMA)),
    )
  })
})
