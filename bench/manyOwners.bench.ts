import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { loadDataset } from '../src/adapters/data/index.ts'
import {
  createFederationCa,
  issueParticipant,
  openStartupKit,
  writeStartupKit,
} from '../src/adapters/pki/index.ts'
import { createNodeSecaggCrypto } from '../src/adapters/secagg-crypto/index.ts'
import { createStoreEventSink, openRunStore } from '../src/adapters/store/index.ts'
import { startFederationServer } from '../src/adapters/transport-grpc/index.ts'
import { roundPolicyOf } from '../src/cli/deploy/serverJournal.ts'
import { parseDatasetSpec } from '../src/core/data/parseDatasetSpec.ts'
import { openRunJournal } from '../src/runtime/orchestrator/openRunJournal.ts'
import { KEPT_ACROSS_BENCH, measuredOn, writeSection } from './benchmarksFile.ts'
import type { WorkerTask } from './manyOwnersWorker.ts'
import { fmt } from './measure.ts'
import { type BenchJob, deployment, median, serveRounds, timedJournal } from './servedJob.ts'

/**
 * `npm run bench:owners` (issue 17, acceptance 4, second half): a provider with 1,000
 * connected owners completes FedAvg rounds. The provider is this process, as `msfl server`
 * composes it: startFederationServer (gRPC, mutual TLS 1.3) and serveFederation with its
 * journal on a SQLite file. The owners are real connectToFederation clients, each with its
 * own certificate and startup kit from the federation's CA, each on its own TLS connection,
 * spread over PROCESSES owner processes (bench/manyOwnersWorker.ts) so the provider's memory
 * is its own. Issuing the 1,000 certificates and kits is measured separately.
 *
 * The job is lightweight on purpose: logistic regression on synthetic data (20 features, 2
 * classes), which has no feature-scaling plan; a job with one (Adult) first runs a
 * complete-graph secure aggregation of the owners' statistics, whose cost grows with the
 * square of the owners (see BENCHMARKS.md).
 */
const log = (text: string) => process.stderr.write(`${text}\n`)
const loadAtStart = loadavg()[0]!
const OWNERS = Number(process.env.MSFL_BENCH_OWNERS ?? 1000)
const PROCESSES = Number(process.env.MSFL_BENCH_OWNER_PROCESSES ?? 4)
const ROUNDS = 2
/** Owners per process that connect at once (bench/manyOwnersWorker.ts). */
const WAVE = Number(process.env.MSFL_BENCH_OWNER_WAVE ?? 50)
// The protocol's run id: the owners' participants and the journal use it too (servedJob.ts).
const RUN = 'bench'
const job: BenchJob = {
  dataset: 'synthetic:classes=2,samples=2000',
  model: 'logistic',
  clients: OWNERS,
  rounds: ROUNDS,
  seed: 3,
}
const dir = mkdtempSync(join(tmpdir(), 'msfl-bench-owners-'))
const crypto = createNodeSecaggCrypto()
const memory = () => {
  // With --expose-gc the snapshot is of live memory, not of garbage not yet collected.
  ;(globalThis as { gc?: () => void }).gc?.()
  const { rss, heapUsed } = process.memoryUsage()
  return { rss, heapUsed }
}
/** This process's soft limit on open files (each owner connection is one on each side). */
function openFileLimit(): string {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'))
  return line?.split(/\s{2,}/)[1] ?? 'unknown'
}
/** Every disconnection, refusal and reconnection on either side, counted by reason. */
function churn(): string {
  const owners = new Map<string, number>()
  for (const e of ended)
    for (const [reason, n] of Object.entries(e.reasons))
      owners.set(reason, (owners.get(reason) ?? 0) + n)
  const list = (m: Map<string, number>) =>
    m.size === 0
      ? 'none'
      : [...m]
          .map(([reason, n]) => `${n} × ${reason}`)
          .join('; ')
          .replaceAll('|', '/')
  return `provider: ${list(serverEvents)}; owners: ${list(owners)}`
}
const mib = (bytes: number) => `${fmt(bytes / 2 ** 20, 0)} MiB`
const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`

log(`${OWNERS} owners, ${PROCESSES} owner processes`)
const data = await loadDataset(parseDatasetSpec(job.dataset), job.seed)
const d = deployment(data, job, crypto)

log('issuing certificates and startup kits…')
const pki = join(dir, 'pki')
await createFederationCa({ dir: pki, federation: 'bench' })
const issueOne = async (role: 'service-provider' | 'data-owner', name: string) => {
  const issued = await issueParticipant({
    dir: pki,
    role,
    name,
    ...(role === 'service-provider' ? { hosts: ['127.0.0.1'] } : {}),
  })
  const out = join(dir, 'kits', name)
  // The port is chosen when the provider starts: the owners are given it directly.
  await writeStartupKit({ dir: pki, issued, endpoint: '127.0.0.1:1', job: RUN, out })
  return out
}
const providerKit = await openStartupKit(await issueOne('service-provider', 'provider'))
const issueStart = performance.now()
const ownerKits: string[] = []
const issueTimes: number[] = []
for (const owner of d.owners) {
  const t = performance.now()
  ownerKits.push(await issueOne('data-owner', owner))
  issueTimes.push(performance.now() - t)
}
const issueMs = performance.now() - issueStart

const before = memory()
/** The provider's refusals and disconnections, by reason. */
const serverEvents = new Map<string, number>()
let runOver = false
const server = await startFederationServer({
  host: '127.0.0.1',
  port: 0,
  tls: providerKit.tls,
  run: RUN,
  onEvent: (e) => {
    // The owners leave once the run is over: only what happened before counts as churn.
    if (e.type === 'peer-connected' || runOver) return
    const key = `${e.type}: ${e.reason}`
    serverEvents.set(key, (serverEvents.get(key) ?? 0) + 1)
  },
})
const listening = memory()
const children: ChildProcess[] = []
interface Connecting {
  readonly at: number
  readonly owners: number
  readonly verifyMs: number
}
const connecting: Connecting[] = []
interface Ended {
  readonly rss: number
  readonly heapUsed: number
  readonly events: Record<string, number>
  readonly reasons: Record<string, number>
}
const ended: Ended[] = []
let exited = 0

try {
  log('starting the owner processes and connecting…')
  const spawnedAt = Date.now()
  const share = Math.ceil(OWNERS / PROCESSES)
  for (let i = 0; i < PROCESSES; i++) {
    const task: WorkerTask = {
      endpoint: `127.0.0.1:${server.port}`,
      run: RUN,
      job,
      kits: ownerKits.slice(i * share, (i + 1) * share),
      wave: WAVE,
    }
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/manyOwnersWorker.ts'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, MSFL_BENCH_OWNERS_TASK: JSON.stringify(task) },
    })
    children.push(child)
    child.once('exit', (code) => {
      exited += 1
      if (code !== 0) log(`owner process ${i} exited with ${code}`)
    })
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = JSON.parse(line) as { step: string }
      if (m.step === 'connecting') connecting.push(m as unknown as Connecting)
      if (m.step === 'ended') ended.push(m as unknown as Ended)
    })
  }
  await server.waitForPeers(d.owners, { deadlineMs: 30 * 60_000 })
  const allConnectedAt = Date.now()
  const connected = memory()
  const firstConnectAt = Math.min(...connecting.map((c) => c.at))
  log(`all ${OWNERS} connected; serving ${ROUNDS} rounds with a SQLite journal…`)

  const store = await openRunStore(join(dir, 'run.sqlite'))
  const opened = await openRunJournal({
    store,
    runId: RUN,
    policy: roundPolicyOf(d.plan),
    self: providerKit.name,
    now: Date.now,
  })
  const registerStart = performance.now()
  await opened.register(server.peers())
  const registerMs = performance.now() - registerStart
  const failures: unknown[] = []
  const events = createStoreEventSink(store, (error) => failures.push(error))
  const { journal, spentMs } = timedJournal(opened)
  // A failed run is reported as such, with why: the table says what broke at this size.
  const served = await serveRounds(d, server.transport, crypto, {
    journal,
    also: (e) => {
      // After the last round the owners are told the run ended and leave: not churn.
      if (e.type === 'round-completed' && e.record.round === ROUNDS) runOver = true
      events.sink({ ...e, at: Math.floor(e.at) })
    },
  }).then(
    (times) => ({ times }),
    (error: unknown) => ({ failed: error instanceof Error ? error.message : String(error) }),
  )
  await events.flush()
  await store.close()
  if (failures.length > 0) throw new Error(`${failures.length} events were not stored`)
  const after = memory()
  // Owners exit once the provider ends the run; a minute is plenty (the rest are killed below).
  const exitBy = Date.now() + 60_000
  while (exited < PROCESSES && Date.now() < exitBy) await new Promise((r) => setTimeout(r, 100))

  const rows = [
    `| certificates and startup kits issued (msfl pki issue + kit) | ${seconds(issueMs)} for ${fmt(OWNERS)} owners | median ${fmt(median(issueTimes), 1)} ms per owner, first ${fmt(issueTimes[0]!, 1)} ms, last ${fmt(issueTimes.at(-1)!, 1)} ms (the CA's registry is read and rewritten for each) |`,
    `| kit verification in the owner processes | median ${seconds(median(connecting.map((c) => c.verifyMs)))} per process of ${fmt(share)} owners | each kit as msfl owner opens it (signature, hashes, chain, CRL) |`,
    `| connection setup: first owner connecting → provider has all ${fmt(OWNERS)} | **${seconds(allConnectedAt - firstConnectAt)}** | TLS 1.3 handshake, signed hellos, ${fmt(WAVE)} owners of each process at a time; ${seconds(allConnectedAt - spawnedAt)} from starting the owner processes (Node start, data, kits) |`,
    `| registering the ${fmt(OWNERS)} participants in the store | ${fmt(registerMs, 0)} ms | name, role, certificate serial; a register transition per owner |`,
    ...('times' in served
      ? [
          `| FedAvg round with ${fmt(OWNERS)} owners (round-started → round-completed) | **${served.times.rounds.map((t) => seconds(t)).join(', ')}** (rounds 1–${ROUNDS}), of which ${seconds(spentMs() / ROUNDS)} per round waiting on the journal | every owner asked and answering; once a round's replies are in, each update is committed to the SQLite journal (synchronous=FULL) in its own transaction, one after another, before it counts |`,
          `| whole served run | ${seconds(served.times.totalMs)} | describe-data, ${ROUNDS} rounds, final evaluation, run-ended to every owner |`,
        ]
      : [`| the run | **failed**: ${served.failed.replaceAll('|', '/')} | no round completed |`]),
    `| connection churn | ${churn()} | the provider's disconnections and refusals, and the owners' reconnections, by reason, from connecting until the last round closed |`,
    `| provider memory: RSS / heap used | ${mib(before.rss)} / ${mib(before.heapUsed)} before listening; ${mib(listening.rss)} / ${mib(listening.heapUsed)} listening; **${mib(connected.rss)} / ${mib(connected.heapUsed)}** with ${fmt(OWNERS)} connected; **${mib(after.rss)} / ${mib(after.heapUsed)}** after the rounds | after a full GC each time; the provider also holds the test rows and the issued kits' paths |`,
    `| owner processes' memory at the end (median RSS / heap) | ${ended.length === 0 ? 'not reported' : `${mib(median(ended.map((e) => e.rss)))} / ${mib(median(ended.map((e) => e.heapUsed)))}`} per process of ${fmt(share)} owners (${ended.length} of ${PROCESSES} reported) | every owner its own gRPC channel and TLS session |`,
  ]
  writeSection(
    '## Many owners',
    [
      `## Many owners: FedAvg rounds over gRPC + mutual TLS with the provider's SQLite journal (\`npm run bench:owners\`, ${KEPT_ACROSS_BENCH})`,
      '',
      `The provider as \`msfl server\` composes it — startFederationServer (gRPC, mutual TLS 1.3 on loopback) and serveFederation with its run journal on a SQLite file (WAL, synchronous=FULL) — in one process; ${fmt(OWNERS)} owners, each a connectToFederation client with its own certificate and startup kit from the federation's CA and its own TLS connection, in ${PROCESSES} other processes. The job is lightweight: logistic regression on synthetic data (20 features, 2 classes, ${fmt(d.data.train.n)} training rows, about ${fmt(d.data.train.n / OWNERS, 0)} per owner), ${ROUNDS} rounds, every owner in every round. It has no feature-scaling plan: a job with one (Adult) first runs a complete-graph secure aggregation of the owners' statistics, which grows with the square of the owners and was not measured at this size.`,
      '',
      '| measure | result | note |',
      '| --- | --- | --- |',
      ...rows,
      '',
      ...measuredOn({
        command: 'npm run bench:owners',
        loadAtStart,
        machineNote: 'the provider and the owner processes share its cores',
        nodeNote: `open-file limit ${openFileLimit()}`,
      }),
    ].join('\n'),
  )
  log(rows.join('\n'))
} finally {
  for (const child of children) if (child.exitCode === null) child.kill()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
}
