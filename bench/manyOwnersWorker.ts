import { performance } from 'node:perf_hooks'
import { loadDataset } from '../src/adapters/data/index.ts'
import { openStartupKit, type StartupKit } from '../src/adapters/pki/index.ts'
import { createNodeSecaggCrypto } from '../src/adapters/secagg-crypto/index.ts'
import {
  connectToFederation,
  type FederationConnection,
} from '../src/adapters/transport-grpc/index.ts'
import { parseDatasetSpec } from '../src/core/data/parseDatasetSpec.ts'
import type { OwnerParticipant } from '../src/runtime/deploy/createOwnerParticipant.ts'
import { type BenchJob, deployment } from './servedJob.ts'

/**
 * One owners' process of `npm run bench:owners` (bench/manyOwners.bench.ts): it opens the
 * startup kits of its share of the owners (each verified as `msfl owner` verifies its kit),
 * connects every one of them to the provider at once, each over its own TLS connection with
 * its own certificate, and serves the job until the provider ends the run. It reports on
 * stdout, one JSON line per step, and exits when every owner saw `run-ended`.
 */
export interface WorkerTask {
  readonly endpoint: string
  readonly run: string
  readonly job: BenchJob
  /** Kit directories of this process's owners, named after each owner. */
  readonly kits: readonly string[]
  /** How many of its owners connect at once. */
  readonly wave: number
}

const task = JSON.parse(process.env.MSFL_BENCH_OWNERS_TASK ?? 'null') as WorkerTask | null
if (!task)
  throw new Error('MSFL_BENCH_OWNERS_TASK is not set (run through bench/manyOwners.bench.ts)')
const report = (step: string, fields: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ step, ...fields })}\n`)

const crypto = createNodeSecaggCrypto()
const data = await loadDataset(parseDatasetSpec(task.job.dataset), task.job.seed)
const d = deployment(data, task.job, crypto)

const kits: StartupKit[] = []
const verifyStart = performance.now()
for (const dir of task.kits) kits.push(await openStartupKit(dir))
const verifyMs = performance.now() - verifyStart

const handlers = d.participants(new Set(kits.map((k) => k.name)))
if (handlers.size !== kits.length) throw new Error('a kit names an owner the job does not have')
report('connecting', { at: Date.now(), owners: kits.length, verifyMs })
// Owners connect in waves of `task.wave` (each wave once all its owners have the provider's
// hello): a thousand TLS handshakes at once on two loaded cores take longer than the 30 s a
// stream may wait for its hello, and a timed-out stream reconnects.
const events = { connected: 0, disconnected: 0, reconnecting: 0, refused: 0 }
const reasons = new Map<string, number>()
const connections: FederationConnection[] = []
for (let start = 0; start < kits.length; start += task.wave) {
  const wave = kits.slice(start, start + task.wave)
  const greeted = new Set<string>()
  let waveDone: () => void = () => {}
  const done = new Promise<void>((resolve) => {
    waveDone = resolve
  })
  for (const kit of wave)
    connections.push(
      connectToFederation({
        endpoint: task.endpoint,
        tls: kit.tls,
        run: task.run,
        handler: handlers.get(kit.name)!,
        onEvent: (e) => {
          if (e.type === 'peer-connected') {
            events.connected += 1
            greeted.add(kit.name)
            if (greeted.size === wave.length) waveDone()
            return
          }
          const key =
            e.type === 'reconnecting'
              ? 'reconnecting'
              : e.type === 'refused'
                ? 'refused'
                : 'disconnected'
          events[key] += 1
          reasons.set(`${e.type}: ${e.reason}`, (reasons.get(`${e.type}: ${e.reason}`) ?? 0) + 1)
        },
      }),
    )
  await done
}
report('connected', { at: Date.now() })
for (const c of connections) c.closed.catch(() => {})
await Promise.all([...handlers.values()].map((h) => (h as OwnerParticipant).ended))
const { rss, heapUsed } = process.memoryUsage()
report('ended', { rss, heapUsed, events, reasons: Object.fromEntries(reasons) })
for (const c of connections) c.close()
