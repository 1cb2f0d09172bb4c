import { z } from 'zod'
import type { OrchestratorState } from '../../core/orchestrator/orchestratorState.ts'
import { RUN_PHASES } from '../../core/orchestrator/runPhase.ts'
import { parseFlags } from './deployFlags.ts'

/** Where a crash test wants the server held: a phase, a round, and how many updates are in. */
export interface HoldPoint {
  readonly phase: OrchestratorState['phase']
  readonly round: number
  /** At least this many accepted updates (default 0). */
  readonly received: number
  /**
   * MS-FL only (`AGGREGATING:ROUND:selected`): held once the requestor's selection of the
   * round is on the ledger (deposit and table) and recorded, before the provider serves it.
   */
  readonly selected?: true
  /**
   * MS-FL only (`AGGREGATING:ROUND:delivered`): held once the round's aggregate is delivered
   * on the ledger (the owners paid), before the round is recorded closed.
   */
  readonly delivered?: true
  /**
   * MS-FL only (`TERMS`): held once every party accepted the run's terms, before the terms
   * are stored (the owners' agreement and the deployed contract are stored already).
   */
  readonly terms?: true
}

const holdSchema = z.object({
  MSFL_HOLD_AT: z
    .string()
    .regex(
      new RegExp(
        `^((${RUN_PHASES.join('|')}):[1-9]\\d{0,8}(:\\d{1,9})?|AGGREGATING:[1-9]\\d{0,8}:(selected|delivered)|TERMS)$`,
      ),
      `must be PHASE:ROUND[:RECEIVED] (PHASE one of ${RUN_PHASES.join(', ')}), AGGREGATING:ROUND:selected|delivered or TERMS`,
    )
    .optional(),
})

/** Reads MSFL_HOLD_AT (e.g. `TRAINING:2:1`, `AGGREGATING:2`, `AGGREGATING:3:selected`); undefined when unset. */
export function readHoldPoint(env: NodeJS.ProcessEnv): HoldPoint | undefined {
  const value = parseFlags(holdSchema, { MSFL_HOLD_AT: env['MSFL_HOLD_AT'] }).MSFL_HOLD_AT
  if (value === undefined) return undefined
  if (value === 'TERMS') return { phase: 'WAITING_FOR_CLIENTS', round: 1, received: 0, terms: true }
  const [phase, round, received] = value.split(':')
  const step = received === 'selected' || received === 'delivered' ? received : undefined
  return {
    phase: phase as HoldPoint['phase'],
    round: Number(round),
    received: step ? 0 : Number(received ?? 0),
    ...(step ? { [step]: true as const } : {}),
  }
}

/**
 * An MS-FL hold at a round's step: after its selection is recorded (`AGGREGATING:ROUND:selected`,
 * the provider never serves it) or after its delivery (`AGGREGATING:ROUND:delivered`, the round
 * is never recorded closed). `held` is called there. Undefined for any other point.
 */
export function holdAtStep(
  point: HoldPoint | undefined,
  step: 'selected' | 'delivered',
  held: (round: number) => void,
): ((round: number) => Promise<void>) | undefined {
  if (!point?.[step]) return undefined
  return (round) => {
    if (round !== point.round) return Promise.resolve()
    held(round)
    return new Promise<void>(() => {})
  }
}

/**
 * The MS-FL hold once the terms are accepted (`TERMS`): `held` is called and the provider never
 * stores them. Undefined for any other point.
 */
export function holdAtTerms(
  point: HoldPoint | undefined,
  held: () => void,
): (() => Promise<void>) | undefined {
  if (!point?.terms) return undefined
  return () => {
    held()
    return new Promise<void>(() => {})
  }
}

/**
 * A fault-injection point for crash tests: once a committed transition reaches the hold point,
 * `held` is called (the server logs it) and the server never acts on that transition, so a test
 * can kill -9 it at a known durable step. Nothing is held when no point is given.
 */
export function holdAt(
  point: HoldPoint | undefined,
  held: (state: OrchestratorState) => void,
): ((state: OrchestratorState) => Promise<void>) | undefined {
  if (!point || point.selected || point.delivered || point.terms) return undefined
  return (state) => {
    const reached =
      state.phase === point.phase &&
      state.round === point.round &&
      state.received.length >= point.received
    if (!reached) return Promise.resolve()
    held(state)
    return new Promise<void>(() => {})
  }
}
