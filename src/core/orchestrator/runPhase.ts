/**
 * Where a run stands. WAITING_FOR_CLIENTS: owners register, the next round may open.
 * TRAINING: a round is open until all selected owners answered or its deadline passed.
 * AGGREGATING: the round's updates are being combined. PAUSED_INSUFFICIENT_CLIENTS: fewer owners
 * are connected than a round needs; it resumes when enough return. COMPLETED and FAILED are final.
 */
export type RunPhase =
  | 'WAITING_FOR_CLIENTS'
  | 'TRAINING'
  | 'AGGREGATING'
  | 'PAUSED_INSUFFICIENT_CLIENTS'
  | 'COMPLETED'
  | 'FAILED'

/** Every phase, in the order a run normally passes through them. */
export const RUN_PHASES: readonly RunPhase[] = [
  'WAITING_FOR_CLIENTS',
  'TRAINING',
  'AGGREGATING',
  'PAUSED_INSUFFICIENT_CLIENTS',
  'COMPLETED',
  'FAILED',
]

/** Whether no input can move a run out of this phase. */
export function isFinalPhase(phase: RunPhase): boolean {
  return phase === 'COMPLETED' || phase === 'FAILED'
}
