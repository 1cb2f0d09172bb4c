import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parseAdrmSpec } from '../../core/adrm/parseAdrmSpec.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { FederatedRunPlan, MsflRunPlan, RunPlan } from '../../runtime/config/planRun.ts'
import type { SimulationConfig } from '../../runtime/config/simulationConfig.ts'
import { deployedProtection } from '../../runtime/deploy/serveProtectedRounds.ts'
import { parseRunConfig } from '../parseSimulationConfig.ts'

/**
 * A federation's job as every party reads it: the same file, checked against one digest.
 * `P` is the plan the reader runs: the plain engine or a protected job by default, MS-FL
 * for `DeployedJob<MsflRunPlan>`.
 */
export interface DeployedJob<P extends RunPlan = FederatedRunPlan> {
  readonly path: string
  /** Hex SHA-256 of the job file's bytes: the job reference in every startup kit. */
  readonly sha256: string
  /** `job-` and the digest's first 16 hex digits: the same for every party of this job. */
  readonly runId: string
  readonly config: SimulationConfig
  readonly plan: P
}

/** Whether a job runs MS-FL (`protocol: msfl`). */
export function isMsflJob(job: DeployedJob<RunPlan>): job is DeployedJob<MsflRunPlan> {
  return job.plan.protocol === 'msfl'
}

/**
 * loadAnyJob for a command that runs the plain engine or a protected job: an MS-FL job is
 * refused, naming the commands that run it.
 */
export function loadJob(path: string, expectedSha256?: string): DeployedJob {
  const job = loadAnyJob(path, expectedSha256)
  if (isMsflJob(job))
    throw new MsflError(
      'CONFIG_INVALID',
      `${path}: protocol: msfl runs with msfl server, msfl requestor and msfl owner; this command runs the plain engine`,
    )
  return job as DeployedJob
}

/**
 * Reads and validates a job file (the config `msfl simulate` takes, JSON or YAML), refuses
 * what a deployment cannot run yet, and, with `expectedSha256` (the kit's job reference),
 * refuses a file whose bytes differ: an owner trains only on the terms it was issued for.
 */
export function loadAnyJob(
  path: string,
  expectedSha256?: string,
): DeployedJob | DeployedJob<MsflRunPlan> {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (error) {
    throw new MsflError(
      'CONFIG_INVALID',
      `--job ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`,
    )
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  if (expectedSha256 !== undefined && sha256 !== expectedSha256.toLowerCase())
    throw new MsflError(
      'CONFIG_INVALID',
      `--job ${path}: SHA-256 ${sha256} is not the job this kit was issued for (${expectedSha256})`,
    )
  const { config, plan } = parseRunConfig({ config: path })
  if (config.malicious > 0 || config.attack !== undefined || config.attackers !== undefined)
    throw new MsflError(
      'CONFIG_INVALID',
      `${path}: attacks are simulated only; a deployed job has no attack settings`,
    )
  const job = { path, sha256, runId: `job-${sha256.slice(0, 16)}`, config }
  // ADRM runs at the MS-FL requestor on the masked gradients, at the FedAvg provider on the
  // updates it aggregates; labels from the known attackers exist in a simulation only.
  const adrm = plan.protocol === 'msfl' ? plan.defence : config.defence
  if (adrm !== undefined && parseAdrmSpec(adrm).labels === 'oracle')
    throw new MsflError(
      'CONFIG_INVALID',
      `${path}: defence: adrm:labels=oracle labels rounds with the simulated attackers, which a deployment does not know: use labels=none`,
    )
  if (plan.protocol === 'msfl') return { ...job, plan }
  if (plan.protocol === 'protected') {
    try {
      deployedProtection(plan)
    } catch (error) {
      throw new MsflError('CONFIG_INVALID', `${path}: ${(error as Error).message}`)
    }
  }
  if (plan.defences?.verify?.validation === 'secret')
    throw new MsflError(
      'CONFIG_INVALID',
      `${path}: verify: validation=secret is not available in a deployment (the provider deals and relays the openings, so it would learn the secret rows): use validation=public`,
    )
  return { ...job, plan }
}
