import assert from 'node:assert/strict'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { loadDataset, verifyDatasets } from '../../src/adapters/data/index.ts'
import { parseSha256Sums } from '../../src/core/data/parseSha256Sums.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'

const DATA = fileURLToPath(new URL('../../packages/datasets/', import.meta.url))
const FILE = 'breast-cancer-wisconsin/breast_cancer.csv'

describe('dataset integrity', () => {
  let dir: string
  before(async () => {
    // Only the small datasets are copied; the rest are reported missing, which is tested too.
    dir = await mkdtemp(join(tmpdir(), 'msfl-data-'))
    await cp(join(DATA, 'SHA256SUMS'), join(dir, 'SHA256SUMS'))
    await cp(join(DATA, 'breast-cancer-wisconsin'), join(dir, 'breast-cancer-wisconsin'), {
      recursive: true,
    })
    await cp(join(DATA, 'digits'), join(dir, 'digits'), { recursive: true })
    const bytes = await readFile(join(dir, FILE))
    bytes[1000]! ^= 0x01
    await writeFile(join(dir, FILE), bytes)
  })
  after(async () => {
    delete process.env['MSFL_DATA_DIR']
    await rm(dir, { recursive: true, force: true })
  })

  const mismatch = (e: unknown) =>
    e instanceof MsflError &&
    e.code === 'DATA_INTEGRITY' &&
    e.message.includes(FILE) &&
    /SHA-256 mismatch \(expected fed3eb72[0-9a-f]{56}, got [0-9a-f]{64}\); the file is corrupted or was replaced$/.test(
      e.message,
    )

  it('refuses a file with one flipped bit, naming it (dataDir parameter)', async () => {
    await assert.rejects(
      loadDataset({ name: 'breast-cancer', options: {} }, 1, { dataDir: dir }),
      mismatch,
    )
  })

  it('refuses it too when the directory comes from MSFL_DATA_DIR', async () => {
    process.env['MSFL_DATA_DIR'] = dir
    try {
      await assert.rejects(loadDataset({ name: 'breast-cancer', options: {} }, 1), mismatch)
      const digits = await loadDataset({ name: 'digits', options: {} }, 1)
      assert.equal(digits.train.n + digits.test.n, 1797)
    } finally {
      delete process.env['MSFL_DATA_DIR']
    }
  })

  it('reports a missing file as DATA_INTEGRITY', async () => {
    await assert.rejects(
      loadDataset({ name: 'adult', options: {} }, 1, { dataDir: dir }),
      (e: unknown) =>
        e instanceof MsflError &&
        e.code === 'DATA_INTEGRITY' &&
        // Both adult files are missing and read at once: either may be named first.
        /adult\.(data|test)\.gz: file is missing/.test(e.message),
    )
  })

  it('refuses a file that SHA256SUMS does not list', async () => {
    const sums = await readFile(join(dir, 'SHA256SUMS'), 'utf8')
    const other = await mkdtemp(join(tmpdir(), 'msfl-data-'))
    try {
      await cp(join(dir, 'digits'), join(other, 'digits'), { recursive: true })
      await writeFile(
        join(other, 'SHA256SUMS'),
        sums
          .split('\n')
          .filter((l) => !l.includes('digits.csv.gz'))
          .join('\n'),
      )
      await assert.rejects(
        loadDataset({ name: 'digits', options: {} }, 1, { dataDir: other }),
        (e: unknown) =>
          e instanceof MsflError &&
          e.code === 'DATA_INTEGRITY' &&
          /digits\.csv\.gz: not listed in SHA256SUMS/.test(e.message),
      )
    } finally {
      await rm(other, { recursive: true, force: true })
    }
  })

  it('verifyDatasets reports ok, mismatch and missing per file', async () => {
    const report = await verifyDatasets({ dataDir: dir })
    assert.equal(report.ok, false)
    const status = new Map(report.files.map((f) => [f.file, f.status]))
    assert.equal(status.get(FILE), 'mismatch')
    assert.equal(status.get('breast-cancer-wisconsin/breast_cancer.rst'), 'ok')
    assert.equal(status.get('digits/digits.csv.gz'), 'ok')
    assert.equal(status.get('mnist/train-images-idx3-ubyte.gz'), 'missing')
    assert.equal(report.files.length, 18)
  })

  it('verifyDatasets passes on the bundled data folder', async () => {
    const report = await verifyDatasets()
    assert.ok(report.ok, JSON.stringify(report.files.filter((f) => f.status !== 'ok')))
    assert.equal(report.files.length, 18)
  })
})

describe('parseSha256Sums', () => {
  const hash = 'a'.repeat(64)
  it('parses text and binary mode lines', () => {
    const sums = parseSha256Sums(`${hash}  a/b.gz\n${hash.toUpperCase()} *c.csv\n\n`, 'SUMS')
    assert.deepEqual(
      [...sums],
      [
        ['a/b.gz', hash],
        ['c.csv', hash],
      ],
    )
  })

  it('refuses paths that leave the data folder and malformed lines', () => {
    const fails = (text: string, code: string, pattern: RegExp) =>
      assert.throws(
        () => parseSha256Sums(text, 'SUMS'),
        (e: unknown) => e instanceof MsflError && e.code === code && pattern.test(e.message),
      )
    fails(
      `${hash}  ../etc/passwd\n`,
      'DATA_INTEGRITY',
      /^SUMS: line 1: path '\.\.\/etc\/passwd' leaves the data folder/,
    )
    fails(`${hash}  /etc/passwd\n`, 'DATA_INTEGRITY', /leaves the data folder/)
    fails('abc  x\n', 'DATA_FORMAT', /^SUMS: line 1 is not/)
    fails(`${hash}  x\n${hash}  x\n`, 'DATA_FORMAT', /'x' is listed twice/)
  })
})
