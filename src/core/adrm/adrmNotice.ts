import type { RunEvent } from '../events/runEvent.ts'

/** The run events ADRM produces. */
export type AdrmNoticeType =
  | 'update-flagged'
  | 'update-quarantined'
  | 'client-blocked'
  | 'client-unblocked'
  | 'reputation-changed'
  | 'model-rolled-back'
  | 'anomaly-model-replaced'

/**
 * A decision or state change of ADRM as a plain value: exactly a run event without
 * the run id and timestamp, which the runtime adds (`emit({ ...notice, runId, at })`).
 * The core has no clock and no run identity, so it cannot fill them in itself.
 */
export type AdrmNotice = RunEvent extends infer E
  ? E extends { readonly type: AdrmNoticeType }
    ? Omit<E, 'runId' | 'at'>
    : never
  : never

/** When something happens: the round, and the runtime's clock in milliseconds. */
export interface Moment {
  readonly round: number
  readonly at: number
}
