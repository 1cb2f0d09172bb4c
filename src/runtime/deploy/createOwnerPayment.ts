import { ledgerAddressRequestSchema } from '../../core/deploy/msflDeploymentMessages.ts'
import { type PaymentTerms, paymentTermsSchema } from '../../core/deploy/paymentMessages.ts'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { answerRunRequest } from './answerRunRequest.ts'
import type { MsflLedgerParty } from './msflLedgerParty.ts'

/** The payment messages an owner answers, and the terms it accepted. */
export interface OwnerPayment {
  /** The reply to `ledger-address-request` or `payment-terms`; undefined for another type. */
  handle(message: unknown): Promise<unknown> | undefined
  /** The terms the owner accepted (undefined before `payment-terms`): where to collect at the end. */
  terms(): PaymentTerms | undefined
}

/**
 * An owner's side of being paid by reputation in a deployed FedAvg job with `defence: adrm`:
 * it proves its own address (signed with its kit key) and accepts the terms only when the
 * chain holds the settlement contract and the terms pay its own address.
 */
export function createOwnerPayment(p: {
  readonly runId: string
  readonly clientId: string
  /** The owner's account on the run's chain: payouts arrive there. */
  readonly ledger: MsflLedgerParty
}): OwnerPayment {
  const { runId, clientId } = p
  const error = (message: string) => ({ type: 'error', clientId, message })
  let accepted: PaymentTerms | undefined
  const acceptTerms = async (message: unknown): Promise<unknown> => {
    const parsed = paymentTermsSchema.safeParse(message)
    if (!parsed.success) return error(describeZodError(parsed.error, 'payment-terms'))
    const terms = parsed.data
    if (terms.runId !== runId) return error('payment-terms: not this run')
    if (accepted) return error('payment-terms: the terms were set already')
    const mine = terms.owners.find((o) => o.clientId === clientId)
    if (mine?.address.toLowerCase() !== p.ledger.address.toLowerCase())
      return error(`payment-terms: they do not pay this owner's address ${p.ledger.address}`)
    try {
      await p.ledger.check(terms.ledger)
    } catch (cause) {
      return error(`payment-terms: ${(cause as Error).message}`)
    }
    accepted = terms
    return { type: 'payment-terms-accepted', runId, clientId }
  }
  return {
    terms: () => accepted,
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
