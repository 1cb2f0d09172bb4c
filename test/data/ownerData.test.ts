import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  loadDataset,
  readOwnerCsv,
  readOwnerData,
  readTabularSchema,
  splitBuiltinOwners,
} from '../../src/adapters/data/index.ts'
import { ADULT_SCHEMA } from '../../src/core/data/adult.ts'
import type { Dataset, DatasetSplit } from '../../src/core/data/dataset.ts'
import { encodeOwnerRows } from '../../src/core/data/encodeOwnerRows.ts'
import { formatOwnerCsv } from '../../src/core/data/formatOwnerCsv.ts'
import { nslKddSchema } from '../../src/core/data/nslKdd.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import type { RunBasics } from '../../src/runtime/config/planRun.ts'
import { planPopulation } from '../../src/runtime/planPopulation.ts'
import { runCli } from '../helpers/runCli.ts'

// Issue 15 item 4: a deployed owner reads its own file, and a deployment with the same seed
// must train the same model as the simulation. So owner i's file, read back and encoded with
// the job's schema, must give client i's rows byte for byte, exactly as the simulation
// (runtime/planPopulation.ts, which runSimulation and runMsflSimulation call) hands them out.

const dir = mkdtempSync(join(tmpdir(), 'msfl-owner-data-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** The simulation's clients for a run of `clients` owners with this seed and partition. */
function simulatedClients(
  data: DatasetSplit,
  dataset: string,
  clients: number,
  seed: number,
  partition: string,
) {
  const basics: RunBasics = {
    dataset,
    model: 'logistic',
    clients,
    rounds: 1,
    partition,
    seed,
    deadlineMs: 60_000,
    malicious: 0,
  }
  return planPopulation(basics, data.train).partition.clients
}

/** `msfl datasets split --dataset adult` with more flags, in a child process. */
const runSplit = (...flags: string[]) =>
  runCli(['datasets', 'split', '--dataset', 'adult', ...flags])

/** Same shape, same names, and identical bytes in every feature and label. */
function assertSameRows(actual: Dataset, expected: Dataset, who: string) {
  assert.equal(actual.n, expected.n, `${who}: rows`)
  assert.equal(actual.d, expected.d, `${who}: width`)
  assert.deepEqual(actual.featureNames, expected.featureNames, `${who}: feature names`)
  assert.deepEqual(actual.classNames, expected.classNames, `${who}: class names`)
  assert.ok(
    Buffer.from(actual.x.buffer, actual.x.byteOffset, actual.x.byteLength).equals(
      Buffer.from(expected.x.buffer, expected.x.byteOffset, expected.x.byteLength),
    ),
    `${who}: features differ`,
  )
  assert.ok(
    Buffer.from(actual.y.buffer, actual.y.byteOffset, actual.y.byteLength).equals(
      Buffer.from(expected.y.buffer, expected.y.byteOffset, expected.y.byteLength),
    ),
    `${who}: labels differ`,
  )
}

describe('msfl datasets split: owner i holds exactly in-process client i’s rows', () => {
  const out = join(dir, 'adult-5')
  let adult: DatasetSplit
  before(async () => {
    adult = await loadDataset({ name: 'adult', options: {} }, 1)
  })

  it('writes owner-<i>.csv, schema.json and split.json for adult, 5 owners, seed 1', () => {
    const run = runSplit('--owners', '5', '--seed', '1', '--out', out)
    assert.equal(run.status, 0, run.stderr)
    const manifest = JSON.parse(readFileSync(join(out, 'split.json'), 'utf8'))
    assert.deepEqual(
      manifest.owners.map((o: { file: string; client: string }) => [o.file, o.client]),
      [0, 1, 2, 3, 4].map((i) => [`owner-${i}.csv`, `do-${i}`]),
    )
    // Every training row goes to exactly one owner: 32,561 in adult.data.
    assert.equal(
      manifest.owners.reduce((sum: number, o: { rows: number }) => sum + o.rows, 0),
      32_561,
    )
  })

  it('reading every file back with schema.json and encoding it gives the simulation’s client data, byte for byte', async () => {
    const schema = await readTabularSchema(join(out, 'schema.json'))
    assert.deepEqual(schema, JSON.parse(JSON.stringify(ADULT_SCHEMA)))
    const clients = simulatedClients(adult, 'adult', 5, 1, 'iid')
    for (const [i, client] of clients.entries()) {
      const rows = await readOwnerCsv(join(out, `owner-${i}.csv`), schema)
      assertSameRows(encodeOwnerRows(rows), client.data, `owner-${i}`)
    }
  })

  it('a built-in part (--data builtin:adult:part=3/5,seed=1) is the same rows as owner-3.csv', async () => {
    const schema = await readTabularSchema(join(out, 'schema.json'))
    const builtin = await readOwnerData('builtin:adult:part=3/5,seed=1', { schema })
    const file = await readOwnerCsv(join(out, 'owner-3.csv'), schema)
    assert.deepEqual(
      builtin.records.map((r) => r.fields),
      file.records.map((r) => r.fields),
    )
  })

  it('another seed gives other rows (the comparison above can fail)', async () => {
    const schema = await readTabularSchema(join(out, 'schema.json'))
    const rows = await readOwnerCsv(join(out, 'owner-0.csv'), schema)
    const other = simulatedClients(adult, 'adult', 5, 2, 'iid')[0]!.data
    assert.equal(other.n, rows.records.length)
    assert.notDeepEqual([...encodeOwnerRows(rows).y.slice(0, 200)], [...other.y.slice(0, 200)])
  })

  it('refuses to overwrite an earlier split, and names the flag at fault', () => {
    const again = runSplit('--owners', '5', '--out', out)
    assert.equal(again.status, 2)
    assert.match(again.stderr, /owner-0\.csv exists; choose an empty --out directory/)
    const none = runSplit('--owners', '0', '--out', join(dir, 'x'))
    assert.equal(none.status, 2)
    assert.match(none.stderr, /datasets split: --owners: Too small: expected number to be >=1/)
  })
})

describe('a built-in part with loader options and a skewed partition', () => {
  it('nsl-kdd:labels=binary under dirichlet:0.5, written as CSV and read back, is the simulation’s client data', async () => {
    const seed = 7
    const spec = { name: 'nsl-kdd', options: { labels: 'binary' } }
    const split = await splitBuiltinOwners({
      dataset: spec,
      owners: 4,
      seed,
      partition: 'dirichlet:0.5',
    })
    assert.deepEqual(split.schema, nslKddSchema('binary'))
    const clients = simulatedClients(
      await loadDataset(spec, seed),
      'nsl-kdd:labels=binary',
      4,
      seed,
      'dirichlet:0.5',
    )
    for (const [i, owner] of split.owners.entries()) {
      assert.equal(owner.id, clients[i]!.id)
      const path = join(dir, `nsl-${i}.csv`)
      writeFileSync(path, formatOwnerCsv(owner.rows))
      const rows = await readOwnerCsv(path, split.schema)
      assertSameRows(encodeOwnerRows(rows), clients[i]!.data, `nsl-kdd owner ${i}`)
    }
  })
})

describe('--data builtin:… is validated', () => {
  const refuses = async (data: string, message: RegExp, schema = ADULT_SCHEMA) =>
    assert.rejects(readOwnerData(data, { schema }), (error: unknown) => {
      assert.ok(error instanceof MsflError)
      assert.equal(error.code, 'CONFIG_INVALID')
      assert.match(error.message, message)
      return true
    })

  it('names the option at fault', async () => {
    await refuses('builtin:adult:seed=1', /^data: builtin:adult:seed=1: part: is required/)
    await refuses('builtin:adult:part=5/5', /part: index must be in 0\.\.owners-1/)
    await refuses('builtin:adult:part=three', /part: must be <index>\/<owners>/)
    await refuses('builtin:adult:part=0/5,seed=-1', /seed: Too small/)
    await refuses('builtin:adult:part=0/5,partition=zipf', /partition: must be iid, dirichlet/)
    await refuses('builtin:adult:part=0/5,colour=red', /dataset 'adult': unknown option 'colour'/)
  })

  it('refuses datasets with no tabular form, and a job schema that is not the dataset’s', async () => {
    await refuses(
      'builtin:mnist:part=0/5',
      /dataset 'mnist' has no tabular form a data owner can hold \(tabular datasets: adult, nsl-kdd\)/,
    )
    await refuses(
      'builtin:adult:part=0/5',
      /the job's schema is not the schema of built-in 'adult'/,
      { ...ADULT_SCHEMA, minRows: 100 },
    )
  })

  it('a CSV path needs the job’s schema', async () => {
    await assert.rejects(readOwnerData(join(dir, 'x.csv')), /a CSV file needs the job's schema/)
  })
})
