import { readFileSync } from 'node:fs'
import { createProcessLog, type ProcessLog } from '../../adapters/logging/index.ts'
import { openStartupKit, type ParticipantRole, type StartupKit } from '../../adapters/pki/index.ts'
import type { FederationEvent } from '../../adapters/transport-grpc/index.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { MsflRunPlan } from '../../runtime/config/planRun.ts'
import { type DeployedJob, loadAnyJob, loadJob } from './loadJob.ts'

/** A participant process's verified kit, its job and its log. */
export interface OpenedParticipant<Job = DeployedJob> {
  readonly kit: StartupKit
  readonly job: Job
  readonly log: ProcessLog
}

/** The participant flags every command reads its kit and job from. */
interface ParticipantFlags {
  readonly kit: string
  readonly job: string
  readonly crl?: string
  readonly json: boolean
}

/** openParticipant for the commands that also run MS-FL jobs (server, owner, requestor). */
export function openAnyParticipant(
  flags: ParticipantFlags,
  role: ParticipantRole,
): Promise<OpenedParticipant<DeployedJob | DeployedJob<MsflRunPlan>>> {
  return openWith(flags, role, loadAnyJob)
}

/**
 * The start of every participant command: verify the startup kit (signature, hashes, key,
 * chain, validity, CRL: adapters/pki/openStartupKit.ts), check that it was issued for this
 * role, read the job and check it is the one the kit names. Nothing connects before all of
 * this holds.
 */
export function openParticipant(
  flags: ParticipantFlags,
  role: ParticipantRole,
): Promise<OpenedParticipant> {
  return openWith(flags, role, loadJob)
}

async function openWith<Job>(
  flags: ParticipantFlags,
  role: ParticipantRole,
  load: (path: string, sha256: string) => Job,
): Promise<OpenedParticipant<Job>> {
  let crl: string | undefined
  if (flags.crl !== undefined) {
    try {
      crl = readFileSync(flags.crl, 'utf8')
    } catch (error) {
      throw new MsflError(
        'CONFIG_INVALID',
        `--crl ${flags.crl}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`,
      )
    }
  }
  const kit = await openStartupKit(flags.kit, crl === undefined ? {} : { crl })
  if (kit.role !== role)
    throw new MsflError(
      'CONFIG_INVALID',
      `--kit ${flags.kit}: issued to ${kit.name} as ${kit.role}, this command runs a ${role}`,
    )
  const job = load(flags.job, kit.job)
  const log = createProcessLog({ participant: kit.name, json: flags.json })
  // The kit loader is the one place a key is read: what it opened is on record.
  log.info('kit opened', { files: kit.files.join(',') })
  return { kit, job, log }
}

/** A transport endpoint's events as log lines: connections, reconnections and every refusal. */
export function logFederationEvent(log: ProcessLog): (event: FederationEvent) => void {
  return (event) => {
    if (event.type === 'refused') log.warn('refused', { peer: event.peer, reason: event.reason })
    else if (event.type === 'peer-connected')
      log.info('connected', { peer: event.peer, role: event.role })
    else if (event.type === 'peer-disconnected')
      log.info('disconnected', { peer: event.peer, reason: event.reason })
    else
      log.warn('reconnecting', { peer: event.peer, delayMs: event.delayMs, reason: event.reason })
  }
}
