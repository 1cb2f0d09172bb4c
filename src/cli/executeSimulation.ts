import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { modelDigest } from '../adapters/ledger-evm/index.ts'
import { createCsprng } from '../adapters/random/index.ts'
import { createNodeSecaggCrypto } from '../adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../adapters/transport/index.ts'
import { encodeModelFile } from '../core/model/modelFile.ts'
import { globalModelBytes } from '../core/verification/wrapModelCheck.ts'
import type { FederatedRunPlan } from '../runtime/config/planRun.ts'
import type { SimulationConfig } from '../runtime/config/simulationConfig.ts'
import { attackerNames } from '../runtime/planAttackers.ts'
import { resolveModelSpec } from '../runtime/resolveModelSpec.ts'
import { runSimulation, type SimulationResult } from '../runtime/runSimulation.ts'
import { finalJson } from './finalJson.ts'
import { createRunLedger, type RunLedger } from './msfl/createRunLedger.ts'
import { defenceJson } from './msfl/defenceJson.ts'
import { reportLedger } from './msfl/formatLedger.ts'
import { openRun } from './openRun.ts'
import { createProtection } from './privacy/createProtection.ts'
import { privacyJson } from './privacy/privacyJson.ts'
import { writeClientsFile } from './writeClientsFile.ts'
import { writeRunReport } from './writeRunReport.ts'

export interface ExecuteSimulationOptions {
  readonly title: string
  /** Progress goes to stderr and the summary is printed as one JSON line on stdout. */
  readonly json: boolean
  readonly quiet: boolean
}

export interface SimulationSummary {
  readonly runId: string
  readonly runDir: string
  readonly report: string
  readonly result: SimulationResult
  readonly json: Record<string, unknown>
}

/**
 * The composition root of a simulation: wires the verified dataset, the in-memory
 * transport, the event sinks and the run directory around the pure runtime.
 */
export async function executeSimulation(
  config: SimulationConfig,
  plan: FederatedRunPlan,
  options: ExecuteSimulationOptions,
): Promise<SimulationSummary> {
  const { runId, data, dir, bus, now, reportEvents } = await openRun(config, options, (data) =>
    resolveModelSpec(config.model, data.train),
  )
  // --defence / --verify report to a ledger: the run's key store seeds its accounts.
  let ledger: RunLedger | undefined
  const seed = plan.defences ? randomBytes(32) : undefined
  if (seed) dir.write('keys/ledger-seed.hex', `${seed.toString('hex')}\n`, { secret: true })
  const result = await runSimulation({
    runId,
    plan,
    data,
    createTransport: (handlers) => createMemoryTransport({ handlers }),
    createProtection,
    noiseRng: createCsprng,
    secaggCrypto: createNodeSecaggCrypto(),
    ...(seed
      ? {
          defences: {
            createLedger: async (spec) => {
              ledger = await createRunLedger(spec, seed)
              return ledger
            },
            modelDigest,
            csprng: createCsprng,
            createTransport: (handlers) => createMemoryTransport({ handlers }),
          },
        }
      : {}),
    emit: bus.emit,
    now,
  })
  if (ledger) {
    dir.write('ledger.json', `${JSON.stringify(ledger.record(), null, 2)}\n`)
    // The exact bytes whose digest the ledger holds for the last round (msfl chain verify-model).
    dir.write('model.registered.bin', globalModelBytes(result.model.spec, result.params))
  }

  const clients = writeClientsFile(dir, result.partition)
  dir.write(
    'metrics.json',
    `${JSON.stringify({ runId, final: result.final, history: result.history, partition: result.partition.summary }, null, 2)}\n`,
  )
  dir.write(
    'model.bin',
    encodeModelFile(result.model.spec, result.params, {
      runId,
      dataset: config.dataset,
      classNames: [...data.train.classNames],
    }),
  )
  const ledgerReport = result.defence && reportLedger(result.defence.ledger, ledger?.record())
  const { title } = options
  const events = reportEvents()
  writeRunReport(dir, { runId, title, config, data, result, clients, events, ledger: ledgerReport })
  const runDir = dir.complete()
  const report = join(runDir, 'report.html')
  return {
    runId,
    runDir,
    report,
    result,
    json: {
      runId,
      config,
      ...finalJson(result.final),
      attackers: attackerNames(result.attackers),
      ...(result.privacy ? { privacy: privacyJson(result.privacy, result.model.numParams) } : {}),
      ...selectionSummary(result),
      ...(result.defence ? defenceJson(result.defence, ledger?.record()) : {}),
      history: result.history,
      runDir,
      report,
    },
  }
}

/**
 * For per-component rules (MS-FL): each client's mean share of selected components
 * over the rounds, and the honest and malicious averages (the payment basis).
 */
function selectionSummary(result: SimulationResult): { selection_share?: Record<string, unknown> } {
  const rounds = result.history.filter((r) => r.selectionShare)
  if (rounds.length === 0) return {}
  const perClient: Record<string, number> = {}
  for (const round of rounds)
    for (const [client, share] of Object.entries(round.selectionShare!))
      perClient[client] = (perClient[client] ?? 0) + share / rounds.length
  const mean = (ids: string[]) =>
    ids.length ? ids.reduce((s, id) => s + perClient[id]!, 0) / ids.length : null
  const clients = Object.keys(perClient)
  return {
    selection_share: {
      perClient,
      honest: mean(clients.filter((c) => !result.attackers.has(c))),
      malicious: mean(clients.filter((c) => result.attackers.has(c))),
    },
  }
}
