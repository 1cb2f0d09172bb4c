import { ledgerAddressRequestSchema } from '../../core/deploy/msflDeploymentMessages.ts'
import { type PaymentTerms, paymentTermsSchema } from '../../core/deploy/paymentMessages.ts'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import type { ModelSpec } from '../../core/model/model.ts'
import type { Settlement } from '../../core/ports/settlement.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import { wrapModelCheck } from '../../core/verification/wrapModelCheck.ts'
import { answerRunRequest } from './answerRunRequest.ts'
import type { MsflLedgerParty } from './msflLedgerParty.ts'
import { paymentParties } from './paymentParties.ts'

/** The payment messages an owner answers, the terms it accepted, and its model check. */
export interface OwnerPayment {
  /** The reply to `ledger-address-request` or `payment-terms`; undefined for another type. */
  handle(message: unknown): Promise<unknown> | undefined
  /** The terms the owner accepted (undefined before `payment-terms`): where to collect at the end. */
  terms(): PaymentTerms | undefined
  /**
   * `training` behind the simulation's model check (wrapModelCheck): a round-r instruction is
   * trained on only if its model's digest is the one the provider registered on the chain
   * after round r − 1 (refused before the terms were accepted).
   */
  checkModel(training: MessageHandler): MessageHandler
}

/**
 * An owner's side of being paid by reputation in a deployed FedAvg job with `defence: adrm`:
 * it proves its own address (signed with its kit key) and accepts the terms only when the
 * provider's and the requestor's addresses are signed under their certificates, the chain
 * holds the settlement contract and the terms pay its own address. Then, as every
 * participant of `msfl simulate --defence` does, it checks each global model it is asked to
 * train on against the digest the provider registered on the chain.
 */
export function createOwnerPayment(p: {
  readonly runId: string
  readonly clientId: string
  /** The owner's account on the run's chain: payouts arrive there. */
  readonly ledger: MsflLedgerParty
  /** The job's model: the registered digest is of its model file. */
  readonly spec: ModelSpec
  /** The ledger's digest function (keccak256). */
  readonly digest: (bytes: Uint8Array) => Uint8Array
}): OwnerPayment {
  const { runId, clientId } = p
  const error = (message: string) => ({ type: 'error', clientId, message })
  let accepted: PaymentTerms | undefined
  let opening = false
  let settlement: Settlement | undefined
  const acceptTerms = async (message: unknown): Promise<unknown> => {
    const parsed = paymentTermsSchema.safeParse(message)
    if (!parsed.success) return error(describeZodError(parsed.error, 'payment-terms'))
    const terms = parsed.data
    if (terms.runId !== runId) return error('payment-terms: not this run')
    if (accepted || opening) return error('payment-terms: the terms were set already')
    const mine = terms.owners.find((o) => o.clientId === clientId)
    if (mine?.address.toLowerCase() !== p.ledger.address.toLowerCase())
      return error(`payment-terms: they do not pay this owner's address ${p.ledger.address}`)
    opening = true
    try {
      p.ledger.checkClaim('service-provider', terms.provider)
      p.ledger.checkClaim('requestor', terms.requestor)
      settlement = await p.ledger.settle(terms.ledger, paymentParties(terms), 'provider')
    } catch (cause) {
      opening = false
      return error(`payment-terms: ${(cause as Error).message}`)
    }
    accepted = terms
    return { type: 'payment-terms-accepted', runId, clientId }
  }
  return {
    terms: () => accepted,
    checkModel: (training) =>
      wrapModelCheck(training, clientId, p.spec, {
        registered: async (round) => settlement?.modelDigest(round),
        digest: p.digest,
      }),
    handle(message) {
      const type = (message as { type?: unknown } | null)?.type
      if (type === 'ledger-address-request')
        return Promise.resolve(
          answerRunRequest(ledgerAddressRequestSchema, message, { runId, clientId }, () =>
            p.ledger.claim(),
          ),
        )
      if (type === 'payment-terms') return acceptTerms(message)
      return undefined
    },
  }
}
