import { createHash, randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { createCkksEvaluator, createCkksRequestor, HE_PRESETS } from '../adapters/he-seal/index.ts'
import { modelDigest, parseLedgerSpec } from '../adapters/ledger-evm/index.ts'
import { createCsprng } from '../adapters/random/index.ts'
import { createNodeSecaggCrypto } from '../adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../adapters/transport/index.ts'
import { MsflError } from '../core/errors/msflError.ts'
import type { MsflRunPlan } from '../runtime/config/planRun.ts'
import type { SimulationConfig } from '../runtime/config/simulationConfig.ts'
import type { MsflAdapters } from '../runtime/msfl/msflAdapters.ts'
import { createOwnersWith, type MsflOwners, type MsflOwnersSpec } from '../runtime/msflOwners.ts'
import { attackerNames } from '../runtime/planAttackers.ts'
import { summarise } from '../runtime/rounds/roundEvaluation.ts'
import { runMsflSimulation } from '../runtime/runMsflSimulation.ts'
import { finalJson } from './finalJson.ts'
import { createOwnerPool } from './msfl/createOwnerPool.ts'
import { createRunLedger, type RunLedger } from './msfl/createRunLedger.ts'
import { defenceJson } from './msfl/defenceJson.ts'
import { formatLedger, ledgerJson, reportLedger } from './msfl/formatLedger.ts'
import { openRun } from './openRun.ts'
import { writeClientsFile } from './writeClientsFile.ts'
import { writeRunReport } from './writeRunReport.ts'

/** Data owners in this thread, sharing one evaluator of public material (one core, tests, heap checks). */
export async function createOwnersInProcess(spec: MsflOwnersSpec): Promise<MsflOwners> {
  const he = await createCkksEvaluator(spec.publicMaterial)
  return { handlers: createOwnersWith(spec, he, createCsprng), dispose: async () => he.dispose() }
}

/** The real adapters of an MS-FL simulation: SEAL CKKS, the in-process ledger, the OS CSPRNG. */
export const msflAdapters: MsflAdapters = {
  slotsOf: (preset) => {
    const found = HE_PRESETS[preset]
    if (!found)
      throw new MsflError(
        'CONFIG_INVALID',
        `he: unknown preset '${preset}' (valid: ${Object.keys(HE_PRESETS).join(', ')})`,
      )
    return found.slots
  },
  createRequestor: (preset, rotations) => createCkksRequestor(preset, { rotations }),
  createEvaluator: (material) => createCkksEvaluator(material),
  createOwners: async (spec) => {
    const threads = availableParallelism()
    return threads > 1 ? createOwnerPool(spec, threads) : createOwnersInProcess(spec)
  },
  // Tests and benchmarks: a fresh key-store seed per ledger, nothing kept.
  createLedger: (spec) => createRunLedger(spec, randomBytes(32)),
  modelDigest,
  createTransport: (handlers) => createMemoryTransport({ handlers }),
  csprng: createCsprng,
  secaggCrypto: createNodeSecaggCrypto(),
  digest: (parts) => {
    const hash = createHash('sha256')
    for (const part of parts) hash.update(part)
    return new Uint8Array(hash.digest())
  },
}

/** `msfl simulate --protocol msfl`: the encrypted MS-FL protocol in one process. */
export async function executeMsflSimulation(
  config: SimulationConfig,
  plan: MsflRunPlan,
  options: { readonly title: string; readonly json: boolean; readonly quiet: boolean },
): Promise<{
  runId: string
  report: string
  json: Record<string, unknown>
  accuracy: number
  plaintextAccuracy: number
  /** Payouts and the contract's final balance, formatted for the console. */
  ledgerText: string
}> {
  // The ledger spec's address is the adapter's to check; before the run directory exists.
  parseLedgerSpec(plan.ledger, 'ledger')
  const { runId, data, dir, bus, now, reportEvents } = await openRun(config, options)
  // The run's key store: one CSPRNG seed every ledger account is derived from.
  const seed = randomBytes(32)
  dir.write('keys/ledger-seed.hex', `${seed.toString('hex')}\n`, { secret: true })
  let ledger: RunLedger | undefined
  const result = await runMsflSimulation({
    runId,
    plan,
    data,
    adapters: {
      ...msflAdapters,
      createLedger: async (spec) => {
        ledger = await createRunLedger(spec, seed)
        return ledger
      },
    },
    emit: bus.emit,
    now,
  })
  if (ledger) dir.write('ledger.json', `${JSON.stringify(ledger.record(), null, 2)}\n`)
  for (const [round, bytes] of result.models)
    dir.write(`models/round-${String(round).padStart(4, '0')}.json`, bytes)

  const plaintext = summarise(result.plaintextFinal)
  const clients = writeClientsFile(dir, result.partition)
  const ckksErrors = result.history.map((r) => r.ckksError ?? Number.NaN)
  dir.write(
    'metrics.json',
    `${JSON.stringify({ runId, final: result.final, plaintext: result.plaintextFinal, history: result.history }, null, 2)}\n`,
  )
  dir.write('model.json', `${JSON.stringify({ heads: result.weights.map((w) => [...w]) })}\n`)
  const events = reportEvents()
  writeRunReport(dir, {
    runId,
    title: options.title,
    config,
    data,
    dataNote: 'rows L2-normalised for the encrypted protocol',
    result,
    clients,
    events,
    ledger: reportLedger(result.ledger, ledger?.record()),
    environment: { he: plan.he },
  })
  const runDir = dir.complete()
  const report = join(runDir, 'report.html')
  return {
    runId,
    report,
    accuracy: result.final.accuracy ?? Number.NaN,
    ledgerText: formatLedger(result.ledger, ledger?.record()),
    plaintextAccuracy: result.plaintextFinal.accuracy ?? Number.NaN,
    json: {
      runId,
      config,
      ...finalJson(result.final),
      plaintext,
      ckks_error_max: Math.max(...ckksErrors),
      public_material_bytes: result.publicMaterialBytes,
      ledger: ledgerJson(result.ledger, ledger?.record()),
      ...(result.defence ? defenceJson(result.defence, undefined) : {}),
      attackers: attackerNames(result.attackers),
      history: result.history,
      runDir,
      report,
    },
  }
}
