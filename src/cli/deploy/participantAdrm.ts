import { modelDigest } from '../../adapters/ledger-evm/index.ts'
import { ownerIds } from '../../core/fl/partitionClients.ts'
import type { ModelSpec } from '../../core/model/model.ts'
import { createOwnerPayment, type OwnerPayment } from '../../runtime/deploy/createOwnerPayment.ts'
import {
  createRequestorPayment,
  type RequestorPayment,
} from '../../runtime/deploy/createRequestorPayment.ts'
import type { OwnerLedger } from '../../runtime/deploy/msflLedgerParty.ts'
import { openLedgerParty } from './openLedgerParty.ts'
import type { OpenedParticipant } from './openParticipant.ts'

/** The ledger account of a FedAvg job's participant with `defence: adrm` (`--ledger`, else the job's). */
function adrmLedger(opened: OpenedParticipant, flag: string | undefined): OwnerLedger | undefined {
  const defences = opened.job.plan.defences
  if (!defences?.adrm) return undefined
  const { kit, job, log } = opened
  return openLedgerParty({ kit, runId: job.runId, ledger: flag ?? defences.ledger, log })
}

/**
 * `msfl requestor` for a FedAvg job with `defence: adrm`: its own account on the run's chain
 * pays each round's reputation table (createRequestorPayment), logged as it pays.
 * Undefined without ADRM.
 */
export function requestorAdrmPayment(
  opened: OpenedParticipant,
  flag: string | undefined,
): RequestorPayment | undefined {
  const ledger = adrmLedger(opened, flag)
  if (!ledger) return undefined
  const { kit, job, log } = opened
  return createRequestorPayment({
    runId: job.runId,
    clientId: kit.name,
    owners: ownerIds(job.plan.basics.clients),
    rounds: job.plan.basics.rounds,
    pricePerComponent: BigInt(job.plan.defences!.pricePerComponent),
    ledger,
    onPaid: (round, ledgerRound, deposit) =>
      log.info('round paid', { round, ledgerRound, deposit: deposit.toString() }),
  })
}

/**
 * `msfl owner` for a FedAvg job with `defence: adrm`: its own account, which the payouts
 * reach, the check of every global model against the digest the provider registered on the
 * chain, and, once the run completed, what it was paid read from the chain (any payment
 * that waits for it withdrawn). Undefined without ADRM.
 */
export function ownerAdrmPayment(
  opened: OpenedParticipant,
  flag: string | undefined,
  spec: ModelSpec,
): { readonly payment: OwnerPayment; collect(): Promise<void> } | undefined {
  const ledger = adrmLedger(opened, flag)
  if (!ledger) return undefined
  const { kit, job, log } = opened
  const payment = createOwnerPayment({
    runId: job.runId,
    clientId: kit.name,
    ledger,
    spec,
    digest: modelDigest,
  })
  return {
    payment,
    async collect() {
      const terms = payment.terms()
      if (!terms) return
      const { paid, withdrawn } = await ledger.collect(terms.ledger)
      log.info('paid on chain', {
        address: ledger.address,
        wei: paid.toString(),
        withdrawn: withdrawn.toString(),
      })
    },
  }
}
