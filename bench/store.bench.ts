import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadDataset } from '../src/adapters/data/index.ts'
import { createNodeSecaggCrypto } from '../src/adapters/secagg-crypto/index.ts'
import { createStoreEventSink, openRunStore } from '../src/adapters/store/index.ts'
import { createMemoryTransport } from '../src/adapters/transport/index.ts'
import { roundPolicyOf } from '../src/cli/deploy/serverJournal.ts'
import { parseDatasetSpec } from '../src/core/data/parseDatasetSpec.ts'
import { skipsInterruptedRounds } from '../src/runtime/deploy/skipInterruptedRound.ts'
import { openRunJournal } from '../src/runtime/orchestrator/openRunJournal.ts'
import { startThrowawayPostgres } from '../test/store/throwawayPostgres.ts'
import { KEPT_ACROSS_BENCH, measuredOn, writeSection } from './benchmarksFile.ts'
import { fmt } from './measure.ts'
import { deployment, median, type ServedTimes, serveRounds, timedJournal } from './servedJob.ts'
import {
  createScratchDatabase,
  postgresFootprint,
  postgresWalBytes,
  processWriteBytes,
  sqliteFootprint,
  type TableFootprint,
} from './storeFootprint.ts'

/**
 * `npm run bench:store` (issue 17, acceptance 4, first half): what the run store costs a
 * round. The same FedAvg job (UCI Adult, 10 owners, logistic regression) is served by the
 * deployed provider (serveFederation) over the in-memory transport with no journal, with a
 * SQLite journal (a real file: WAL, synchronous=FULL) and with a PostgreSQL journal (a
 * throwaway cluster from the system's binaries, or MSFL_TEST_POSTGRES_URL), in this process
 * and run, journaled exactly as `msfl server` journals it: every transition committed before
 * it is acted on, each accepted update's bytes in its transaction, the run's events appended.
 * The three are interleaved, REPEATS times, so a change in the machine's load hits each alike.
 */
const log = (text: string) => process.stderr.write(`${text}\n`)
const loadAtStart = loadavg()[0]!
const ROUNDS = 5
const REPEATS = 5
const OWNERS = 10
const crypto = createNodeSecaggCrypto()

type Kind = 'memory' | 'sqlite' | 'postgres'
interface Served {
  readonly times: ServedTimes
  /** Time the rounds waited on the journal's steps, per round (ms). */
  readonly journalMs?: number
  readonly footprint?: readonly TableFootprint[]
  /** Bytes written to storage over the whole run (setup included), when measurable. */
  readonly diskBytes?: number
}

log('loading Adult…')
const data = await loadDataset(parseDatasetSpec('adult'), 3)
const job = { dataset: 'adult', model: 'logistic', clients: OWNERS, rounds: ROUNDS, seed: 3 }
// The same job with secure aggregation: each owner a party of its own, its update reaching the
// provider only summed; the journal keeps each update's size, not its bytes (a round the
// provider was killed in is skipped, never resumed from stored masked inputs).
const jobs = {
  plain: deployment(data, job, crypto),
  secagg: deployment(data, { ...job, privacy: 'secagg' }, crypto),
} as const
type JobName = keyof typeof jobs
const dir = mkdtempSync(join(tmpdir(), 'msfl-bench-store-'))
log('starting a throwaway PostgreSQL…')
const postgres = await startThrowawayPostgres()

/** One served run of a job on `kind` (a fresh store file or database each time). */
async function serve(name: JobName, kind: Kind, repeat: number): Promise<Served> {
  const d = jobs[name]
  const transport = createMemoryTransport({ handlers: d.participants() })
  if (kind === 'memory') return { times: await serveRounds(d, transport, crypto) }
  const database =
    kind === 'postgres' ? await createScratchDatabase(postgres.url, `${name}_${repeat}`) : undefined
  const spec = database?.url ?? join(dir, `run-${name}-${repeat}.sqlite`)
  const diskBefore = kind === 'sqlite' ? processWriteBytes() : await postgresWalBytes(spec)
  const store = await openRunStore(spec)
  const failures: unknown[] = []
  try {
    const opened = await openRunJournal({
      store,
      runId: 'bench',
      policy: roundPolicyOf(d.plan),
      interruptedRounds: skipsInterruptedRounds(d.plan) ? 'skip' : 'resume',
      self: 'provider',
      now: Date.now,
    })
    // The in-memory transport has no certificates: each owner is registered with a random
    // serial of a certificate's size, as msfl server registers its peers' serials.
    await opened.register(
      d.owners.map((name) => ({
        name,
        role: 'data-owner',
        serialNumber: randomBytes(16).toString('hex'),
      })),
    )
    const events = createStoreEventSink(store, (error) => failures.push(error))
    const { journal, spentMs } = timedJournal(opened)
    const times = await serveRounds(d, transport, crypto, {
      journal,
      // As msfl server's journalSink: the store keeps whole milliseconds.
      also: (e) => events.sink({ ...e, at: Math.floor(e.at) }),
    })
    await events.flush()
    if (failures.length > 0) throw new Error(`${failures.length} events were not stored`)
    return { times, journalMs: spentMs() / ROUNDS, ...(await measured(kind, spec, diskBefore)) }
  } finally {
    await store.close()
    await database?.drop()
  }
}

async function measured(kind: 'sqlite' | 'postgres', spec: string, diskBefore: number) {
  if (kind === 'sqlite') {
    const diskBytes = processWriteBytes() - diskBefore
    return { footprint: sqliteFootprint(spec, 'bench'), ...(diskBytes > 0 ? { diskBytes } : {}) }
  }
  const diskBytes = (await postgresWalBytes(spec)) - diskBefore
  return { footprint: await postgresFootprint(spec, 'bench'), diskBytes }
}

const runs: Record<JobName, Record<Kind, Served[]>> = {
  plain: { memory: [], sqlite: [], postgres: [] },
  secagg: { memory: [], sqlite: [], postgres: [] },
}
try {
  for (const name of ['plain', 'secagg'] as const) {
    log(`${name}: warm-up run (in memory, not counted)…`)
    await serve(name, 'memory', -1)
  }
  for (let repeat = 0; repeat < REPEATS; repeat++)
    for (const name of ['plain', 'secagg'] as const)
      for (const kind of ['memory', 'sqlite', 'postgres'] as const) {
        log(`${name}, ${kind}, run ${repeat + 1} of ${REPEATS}…`)
        runs[name][kind].push(await serve(name, kind, repeat))
      }
} finally {
  postgres.stop()
  rmSync(dir, { recursive: true, force: true })
}

const ms = (x: number) => `${fmt(x, 1)} ms`

function row(name: JobName, kind: Kind, label: string): string {
  const ofJob = runs[name]
  const roundMs = (k: Kind) => median(ofJob[k].flatMap((r) => r.times.rounds))
  const memoryMs = roundMs('memory')
  const perRound = roundMs(kind)
  const samples = ofJob[kind].flatMap((r) => r.times.rounds).length
  const total = median(ofJob[kind].map((r) => r.times.totalMs))
  if (kind === 'memory')
    return `| ${label} | ${ms(perRound)} | 1.00× (reference) | — | — | — | whole run ${ms(total)}; median of ${samples} rounds |`
  const last = ofJob[kind].at(-1)!
  const rows = last.footprint!.reduce((s, t) => s + t.rows, 0) / ROUNDS
  const bytes = last.footprint!.reduce((s, t) => s + t.bytes, 0) / ROUNDS
  const byTable = last.footprint!.map((t) => `${t.table} ${fmt(t.rows / ROUNDS, 1)}`).join(', ')
  const disks = ofJob[kind].flatMap((r) => (r.diskBytes === undefined ? [] : [r.diskBytes]))
  const diskText =
    disks.length > 0
      ? `${fmt(median(disks) / ROUNDS / 1024, 1)} KiB ${kind === 'sqlite' ? 'written by the process' : 'of WAL'}`
      : 'not measurable here'
  const journalMs = median(ofJob[kind].map((r) => r.journalMs!))
  return `| ${label} | ${ms(perRound)} (+${ms(perRound - memoryMs)}; ${ms(journalMs)} waiting on journal steps) | **${(perRound / memoryMs).toFixed(2)}×** | ${fmt(rows, 1)} (${byTable}) | ${fmt(bytes / 1024, 1)} KiB | ${diskText} | whole run ${ms(total)}; median of ${samples} rounds |`
}

const rows = (['plain', 'secagg'] as const).flatMap((name) => [
  row(name, 'memory', `${name}: in memory, no journal`),
  row(name, 'sqlite', `${name}: SQLite journal (file, WAL, synchronous=FULL)`),
  row(
    name,
    'postgres',
    `${name}: PostgreSQL journal (local cluster, fsync on, synchronous_commit on)`,
  ),
])
writeSection(
  '## Run store',
  [
    `## Run store: overhead per round of the durable journal (\`npm run bench:store\`, ${KEPT_ACROSS_BENCH})`,
    '',
    `The deployed provider (serveFederation) serves the same FedAvg job — UCI Adult, ${OWNERS} owners, logistic regression, ${ROUNDS} rounds, seed 3 — over the in-memory transport, in the same process and run: with no journal, with a SQLite journal and with a PostgreSQL journal, journaled as \`msfl server --store\` journals it (every transition committed before it is acted on; each accepted update's bytes in the transaction that accepts it; the model of each round with its SHA-256; the run's events appended). The same job with \`privacy: secagg\` (each owner a party of its own, only the sum reaching the provider) is journaled with each accepted masked update's size, not its bytes: a protected round the provider was killed in is skipped, never resumed from stored masked inputs. The six runs are interleaved ${REPEATS} times; a round is round-started → round-completed. Rows and stored bytes are those whose round is ≥ 1 (the run's setup — participants, registrations, initial model — excluded), per round; each round also updates the run's row once per transition. Disk bytes cover the whole run, setup included, divided by the rounds: for SQLite what this process caused to be written (\`/proc/self/io\` write_bytes, WAL and checkpoints), for PostgreSQL the WAL the cluster generated (the difference of \`pg_current_wal_insert_lsn()\` before and after the run).`,
    '',
    '| store | ms per round (median) | vs in memory | rows per round | stored bytes per round | disk per round | note |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...measuredOn({
      command: 'npm run bench:store',
      loadAtStart,
      machineNote: 'the SQLite file and the PostgreSQL cluster on the same local disk',
    }),
  ].join('\n'),
)
log(rows.join('\n'))
