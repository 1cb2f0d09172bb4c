import { ledgerAddressRequestSchema } from '../../core/deploy/msflDeploymentMessages.ts'
import {
  type PaymentRound,
  type PaymentTerms,
  paymentRoundSchema,
  paymentTermsSchema,
} from '../../core/deploy/paymentMessages.ts'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { Settlement } from '../../core/ports/settlement.ts'
import { reputationTable } from '../ledger/createLedgerStage.ts'
import { answerRunRequest } from './answerRunRequest.ts'
import type { MsflLedgerParty } from './msflLedgerParty.ts'
import { paymentParties } from './paymentParties.ts'

/** What the requestor of a deployed FedAvg job with `defence: adrm` pays with. */
export interface RequestorPaymentParameters {
  readonly runId: string
  readonly clientId: string
  /** The job's owners, in its order: the only ones the requestor pays, in this order. */
  readonly owners: readonly string[]
  /** The job's rounds: one payment each, at most. */
  readonly rounds: number
  /** Wei per reputation point: the job's `msfl.pricePerComponent`. */
  readonly pricePerComponent: bigint
  /** The requestor's account on the run's chain: it deposits with its own key. */
  readonly ledger: MsflLedgerParty
  /** Told after each round it opened: the protocol round, the ledger round and the deposit. */
  onPaid?(round: number, ledgerRound: string, deposit: bigint): void
}

/** The payment messages a requestor answers, and what it has deposited. */
export interface RequestorPayment {
  /** The reply to `ledger-address-request`, `payment-terms` or `payment-round`; undefined for another type. */
  handle(message: unknown): Promise<unknown> | undefined
  /** Wei deposited so far. */
  deposited(): bigint
}

/**
 * The requestor's side of paying by reputation: it proves its address, checks the terms
 * (every address signed under its party's certificate, the owners exactly the job's, the
 * price the job's), and each round rebuilds the reputation table from the points the
 * provider sends (reputationTable, as the provider's ledger stage builds it) and refuses a
 * table that costs more than the job allows: another owner list, points outside
 * 0..POINTS_PER_ROUND (the schema), a round outside the job or one paid already — so a run
 * costs at most rounds × owners × POINTS_PER_ROUND × the job's price. Then it opens the round
 * with its deposit and answers with the ledger round. It cannot check the points themselves:
 * it never sees an update.
 */
export function createRequestorPayment(p: RequestorPaymentParameters): RequestorPayment {
  const { runId, clientId } = p
  const error = (message: string) => ({ type: 'error', clientId, message })
  let settlement: Settlement | undefined
  let opening = false
  let spent = 0n
  const paid = new Set<number>()

  const acceptTerms = async (terms: PaymentTerms): Promise<unknown> => {
    if (terms.runId !== runId) return error('payment-terms: not this run')
    if (settlement || opening) return error('payment-terms: the terms were set already')
    const named = terms.owners.map((o) => o.clientId)
    if (named.join('\n') !== p.owners.join('\n'))
      return error(
        `payment-terms: the owners are ${named.join(', ')}, the job's are ${p.owners.join(', ')}`,
      )
    if (
      terms.requestor.clientId !== clientId ||
      terms.requestor.address.toLowerCase() !== p.ledger.address.toLowerCase()
    )
      return error(`payment-terms: they name another requestor account than ${p.ledger.address}`)
    if (terms.ledger.pricePerComponent !== p.pricePerComponent)
      return error(
        `payment-terms: the price is ${terms.ledger.pricePerComponent} wei, the job's is ${p.pricePerComponent}`,
      )
    opening = true
    try {
      p.ledger.checkClaim('service-provider', terms.provider)
      for (const claim of terms.owners) p.ledger.checkClaim('data-owner', claim)
      settlement = await p.ledger.settle(terms.ledger, paymentParties(terms), 'provider')
      return { type: 'payment-terms-accepted', runId, clientId }
    } catch (cause) {
      opening = false
      if (cause instanceof MsflError) return error(`payment-terms: ${cause.message}`)
      throw cause
    }
  }

  const openRound = async (request: PaymentRound): Promise<unknown> => {
    const what = `payment-round ${request.round}`
    if (request.runId !== runId) return error(`${what}: not this run`)
    if (!settlement) return error(`${what}: the payment terms have not been set yet`)
    if (request.owners.join('\n') !== p.owners.join('\n'))
      return error(`${what}: owners must be the job's, ${p.owners.join(', ')}, in this order`)
    if (request.points.length !== p.owners.length)
      return error(`${what}: ${request.points.length} points for ${p.owners.length} owners`)
    if (request.round > p.rounds) return error(`${what}: the job has ${p.rounds} rounds`)
    if (paid.has(request.round)) return error(`${what}: this round was paid already`)
    const points = Object.fromEntries(p.owners.map((o, i) => [o, request.points[i]!]))
    const { table, total } = reputationTable(request.round, p.owners, points)
    const deposit = p.pricePerComponent * BigInt(total)
    if (total === 0) return error(`${what}: no owner earned a point; nothing to pay`)
    paid.add(request.round)
    try {
      const ledgerRound = await settlement.openRound(table, deposit)
      spent += deposit
      p.onPaid?.(request.round, ledgerRound, deposit)
      return { type: 'payment-round-opened', runId, clientId, round: request.round, ledgerRound }
    } catch (cause) {
      paid.delete(request.round)
      if (cause instanceof MsflError) return error(`${what}: ${cause.message}`)
      throw cause
    }
  }

  return {
    deposited: () => spent,
    handle(message) {
      const type = (message as { type?: unknown } | null)?.type
      if (type === 'ledger-address-request')
        return Promise.resolve(
          answerRunRequest(ledgerAddressRequestSchema, message, { runId, clientId }, () =>
            p.ledger.claim(),
          ),
        )
      if (type === 'payment-terms') {
        const parsed = paymentTermsSchema.safeParse(message)
        if (!parsed.success)
          return Promise.resolve(error(describeZodError(parsed.error, 'payment-terms')))
        return acceptTerms(parsed.data)
      }
      if (type === 'payment-round') {
        const parsed = paymentRoundSchema.safeParse(message)
        if (!parsed.success)
          return Promise.resolve(error(describeZodError(parsed.error, 'payment-round')))
        return openRound(parsed.data)
      }
      return undefined
    },
  }
}
