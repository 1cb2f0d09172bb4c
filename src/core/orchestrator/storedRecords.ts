import { z } from 'zod'
import type { OrchestratorEffect } from './orchestratorEffect.ts'
import type { OrchestratorInput } from './orchestratorInput.ts'
import { participantNameSchema, runIdSchema } from './runIdentifiers.ts'
import type { RunPhase } from './runPhase.ts'

/** A participant of a run as the store keeps it: its name and role come from its certificate. */
export interface ParticipantRecord {
  readonly runId: string
  /** The certificate's CN. */
  readonly name: string
  /** The certificate's OU, e.g. `data-owner`. */
  readonly role: string
  /** The certificate's serial number, lowercase hex. */
  readonly certificateSerial: string
  readonly registeredAt: number
}

/** Validates a participant before it is stored; a failure names the field. */
export const participantRecordSchema = z
  .object({
    runId: runIdSchema,
    name: participantNameSchema,
    role: z.string().regex(/^[a-z][a-z-]{0,31}$/, 'must be a lowercase role name'),
    certificateSerial: z.string().regex(/^[0-9a-f]{1,64}$/, 'must be 1 to 64 lowercase hex digits'),
    registeredAt: z.number().int().min(0),
  })
  .strict()

/** One model version: the parameters' bytes and their SHA-256, after `round` (0: the initial model). */
export interface ModelVersionRecord {
  readonly runId: string
  readonly version: number
  readonly round: number
  /** Hex SHA-256 of `bytes`, computed by the store and checked again on every read. */
  readonly sha256: string
  readonly bytes: Uint8Array
  readonly createdAt: number
}

/** A run as listed by an operator: where it stands and when it last moved. */
export interface RunSummary {
  readonly runId: string
  readonly phase: RunPhase
  readonly round: number
  readonly rounds: number
  readonly version: number
  readonly createdAt: number
  readonly updatedAt: number
}

/** One committed transition, as the run's history shows it. */
export interface TransitionRecord {
  readonly runId: string
  readonly sequence: number
  readonly fromPhase: RunPhase
  readonly toPhase: RunPhase
  readonly round: number
  readonly input: OrchestratorInput
  readonly effects: readonly OrchestratorEffect[]
  readonly at: number
}

/** One round's latest state: who was asked, who answered, its deadline and phase. */
export interface RoundRecord {
  readonly runId: string
  readonly round: number
  readonly attempt: number
  readonly phase: RunPhase
  readonly selected: readonly string[]
  readonly received: readonly string[]
  readonly deadlineAt?: number
  readonly updatedAt: number
}
