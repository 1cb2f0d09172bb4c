import type { PrivacyRelease } from '../dp/privacyRelease.ts'

/**
 * A deployed DP owner's durable record of what it has released (SPEC C6 in a deployment):
 * a restarted owner process reads it back, so its accountant starts from what the previous
 * process spent and it answers no client-level round twice. A provider that restarts an
 * owner, or asks it again, cannot reset its budget.
 */
export interface PrivacyLedger {
  /** Every release recorded so far, oldest first (validated when the ledger was opened). */
  releases(): readonly PrivacyRelease[]
  /** Records a release; resolves once it is durable (the release may leave only then). */
  record(release: PrivacyRelease): Promise<void>
}
