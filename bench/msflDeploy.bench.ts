import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { loadDataset } from '../src/adapters/data/index.ts'
import { launchLocalFederation } from '../src/cli/deploy/launchLocalFederation.ts'
import { isMsflJob, loadAnyJob } from '../src/cli/deploy/loadJob.ts'
import { prepareLocalFederation } from '../src/cli/deploy/prepareLocalFederation.ts'
import { findAnvil, startAnvil } from '../src/cli/deploy/startAnvil.ts'
import { msflAdapters } from '../src/cli/executeMsflSimulation.ts'
import { createRunLedger } from '../src/cli/msfl/createRunLedger.ts'
import { parseDatasetSpec } from '../src/core/data/parseDatasetSpec.ts'
import type { MsflRoundRecord } from '../src/core/events/runEvent.ts'
import { runMsflSimulation } from '../src/runtime/runMsflSimulation.ts'
import { KEPT_ACROSS_BENCH, writeSection } from './benchmarksFile.ts'

/**
 * `npm run bench:msfl-deploy` (issue 16, acceptance 3): one MS-FL round on UCI Adult with
 * every role its own OS process (gRPC + mutual TLS 1.3 on loopback, each party signing its
 * own transactions on anvil) against the same round in one process, settling on the same
 * anvil, in the same run. A round is round-started → round-completed as the provider
 * records it (model request, the owners' encrypted gradients, masking, selection, the
 * chain's deposit and delivery, the aggregate); setup (scaling agreement, keys, contract)
 * is outside it.
 */
const OWNERS = 5
const SEED = 42
const log = (text: string) => process.stderr.write(`${text}\n`)
const loadAtStart = loadavg()[0]!
const found = findAnvil()
if ('missing' in found) throw new Error(`bench:msfl-deploy needs anvil: ${found.missing}`)
const anvil = await startAnvil(found.path)
const dir = mkdtempSync(join(tmpdir(), 'msfl-bench-msfl-deploy-'))
const ledger = `rpc:${anvil.url}`
try {
  const federation = await prepareLocalFederation({
    dir: join(dir, 'fed'),
    owners: OWNERS,
    rounds: 1,
    dataset: 'adult',
    model: 'logistic',
    seed: SEED,
    host: '127.0.0.1',
    protocol: 'msfl',
  })
  log(`across processes: ${OWNERS} owners, 1 round, anvil at ${anvil.url}`)
  const started = performance.now()
  const outcome = await launchLocalFederation(federation, {
    cli: [process.execPath, '--disable-warning=DEP0123', '--import', 'tsx', 'src/cli/main.ts'],
    write: () => {},
    ledger,
  })
  const wallDeployed = performance.now() - started
  const runDir = outcome.summary['runDir'] as string
  const deployed = (
    JSON.parse(readFileSync(join(runDir, 'metrics.json'), 'utf8')) as {
      history: MsflRoundRecord[]
    }
  ).history[0]!

  log('in one process: the same job, settling on the same anvil')
  const job = loadAnyJob(federation.job)
  if (!isMsflJob(job)) throw new Error('the bench job is not MS-FL')
  const data = await loadDataset(parseDatasetSpec(job.config.dataset), job.config.seed)
  const inProcess = (
    await runMsflSimulation({
      runId: job.runId,
      plan: { ...job.plan, ledger },
      data,
      adapters: {
        ...msflAdapters,
        createLedger: (spec) => createRunLedger(spec, crypto.getRandomValues(new Uint8Array(32))),
      },
      emit: () => {},
      now: () => performance.now(),
    })
  ).history[0]!

  const ratio = deployed.durationMs / inProcess.durationMs
  const s = (x: number) => `${(x / 1000).toFixed(2)} s`
  const phases = (r: MsflRoundRecord) =>
    Object.entries(r.phases)
      .map(([name, t]) => `${name} ${s(t)}`)
      .join(', ')
  const rows = [
    [
      `Adult, ${OWNERS} owners: one MS-FL round`,
      `${s(deployed.durationMs)} across processes vs ${s(inProcess.durationMs)} in one process: **${ratio.toFixed(2)}×**`,
      'target ≤ 1.15× plus the chain’s block time (anvil mines each transaction at once)',
    ],
    [
      'phases across processes',
      phases(deployed),
      'model, owners, mask, select (incl. deposit), aggregate (incl. delivery), update',
    ],
    ['phases in one process', phases(inProcess), 'the same protocol code (runMsflProtocol)'],
    [
      'bytes through the transport in the round',
      `${((deployed.bytesSent + deployed.bytesReceived) / 1e6).toFixed(1)} MB across processes vs ${((inProcess.bytesSent + inProcess.bytesReceived) / 1e6).toFixed(1)} MB in one process`,
      'codec bytes of the round’s messages',
    ],
    [
      'whole deployed run, wall clock',
      s(wallDeployed),
      'process start-up, kits, scaling agreement, addresses, contract, keys, the round, shutdown',
    ],
  ]
  const loadAtEnd = loadavg()[0]!
  writeSection(
    '## MS-FL across processes on anvil',
    `## MS-FL across processes on anvil (\`npm run bench:msfl-deploy\`, ${KEPT_ACROSS_BENCH})

One MS-FL round on UCI Adult (${OWNERS} owners, ckks-16384, seed ${SEED}) with the provider, the requestor and each owner its own OS process (gRPC + mutual TLS 1.3 on loopback; each party signs its own transactions on anvil), against the same round in one process settling on the same anvil, in the same run. A round is round-started → round-completed as the provider records it.

| measure | result | note |
| --- | --- | --- |
${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}

- date: ${new Date().toISOString()}
- machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${process.platform} ${process.arch}
- Node.js ${process.version}
- load average (1 min) at start and end: ${loadAtStart.toFixed(1)} and ${loadAtEnd.toFixed(1)} on ${cpus().length} cores (times are slower when other jobs share the machine)
- command: \`npm run bench:msfl-deploy\`
`,
  )
  log(
    `round: ${s(deployed.durationMs)} across processes, ${s(inProcess.durationMs)} in one process (${ratio.toFixed(2)}×)`,
  )
} finally {
  await anvil.stop()
  rmSync(dir, { recursive: true, force: true })
}
