import type { PaymentTerms } from '../../core/deploy/paymentMessages.ts'
import type { LedgerParties } from './msflLedgerParty.ts'

/** Every party's address as a FedAvg payment's terms name them (each claim checked by the caller). */
export function paymentParties(terms: PaymentTerms): LedgerParties {
  return {
    requestor: terms.requestor.address,
    provider: terms.provider.address,
    owners: Object.fromEntries(terms.owners.map((o) => [o.clientId, o.address])),
  }
}
