import { z } from 'zod'
import { messageSchema } from '../wire/messageSchema.ts'
import { ledgerAddressSchema, ledgerTermsSchema } from './msflDeploymentMessages.ts'

/**
 * Messages a deployed FedAvg job with `defence: adrm` needs to pay by reputation on the
 * run's chain. The provider screens the updates and deploys the contract; the requestor
 * pays: each round the provider sends it the round's reputation points and the requestor
 * opens the ledger round (table and deposit) with its own key.
 *
 *   from      to                   message           reply
 *   provider  requestor, owners    payment-terms     payment-terms-accepted
 *   provider  requestor            payment-round     payment-round-opened
 *
 * (The parties' signed addresses travel as in MS-FL: ledger-address-request and
 * ledger-address, deploy/msflDeploymentMessages.ts.)
 */

const runId = z.string().min(1).max(200)
const participant = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a participant name')
const round = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31 - 1)

/** The most points an owner earns in a round: POINTS_PER_ROUND of runtime/ledger/createLedgerStage.ts. */
export const MAX_ROUND_POINTS = 100

export const paymentTermsSchema = messageSchema('payment-terms', {
  runId,
  /** The chain and the contract the provider deployed from its own account. */
  ledger: ledgerTermsSchema,
  /** The provider's own signed address: the only account the contract lets deliver, and the model registry's. */
  provider: ledgerAddressSchema,
  /** The requestor's signed address: the account that opens and funds every round. */
  requestor: ledgerAddressSchema,
  /** Every owner's signed address, in the job's owner order: whom the requestor pays. */
  owners: z.array(ledgerAddressSchema).min(1).max(10_000),
})
/** Where a deployed FedAvg run with ADRM settles, and whom it pays. */
export type PaymentTerms = z.infer<typeof paymentTermsSchema>

export const paymentTermsAcceptedSchema = messageSchema('payment-terms-accepted', {
  runId,
  clientId: participant,
})

export const paymentRoundSchema = messageSchema('payment-round', {
  runId,
  /** The protocol round whose model these points pay for. */
  round,
  /** The job's owners, in its order (the requestor refuses any other list). */
  owners: z.array(participant).min(1).max(10_000),
  /**
   * Each owner's reputation points for the round, in `owners` order: an integer 0..100,
   * 0 when its update was not aggregated. Owner i is paid pointsᵢ × the price.
   */
  points: z.array(z.number().int().min(0).max(MAX_ROUND_POINTS)).min(1).max(10_000),
})
/** One round's payment, as the provider asks the requestor to open it. */
export type PaymentRound = z.infer<typeof paymentRoundSchema>

export const paymentRoundOpenedSchema = messageSchema('payment-round-opened', {
  runId,
  clientId: participant,
  round,
  /** The contract's round number (decimal) the requestor opened and funded. */
  ledgerRound: z.string().regex(/^[1-9][0-9]{0,19}$/, 'a round number'),
})
/** The requestor's answer: the ledger round that holds the table and the deposit. */
export type PaymentRoundOpened = z.infer<typeof paymentRoundOpenedSchema>

/** Every request of the payment step, as `ProtocolMessage` lists them. */
export type PaymentMessage = PaymentTerms | PaymentRound
