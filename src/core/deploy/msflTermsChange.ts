import type { LedgerTerms, MsflOwnerTerms, MsflRequestorTerms } from './msflDeploymentMessages.ts'

/** What differs between two ledger terms (chain, contract, deployment block, price), or undefined. */
export function ledgerTermsChange(accepted: LedgerTerms, offered: LedgerTerms): string | undefined {
  if (accepted.chainId !== offered.chainId)
    return `the chain changed from ${accepted.chainId} to ${offered.chainId}`
  if (accepted.contract.toLowerCase() !== offered.contract.toLowerCase())
    return `the contract changed from ${accepted.contract} to ${offered.contract}`
  if (accepted.fromBlock !== offered.fromBlock)
    return `the contract's block changed from ${accepted.fromBlock} to ${offered.fromBlock}`
  if (accepted.pricePerComponent !== offered.pricePerComponent)
    return `the price changed from ${accepted.pricePerComponent} to ${offered.pricePerComponent} wei`
  return undefined
}

/**
 * Why a requestor refuses run terms sent again mid-run (a restarted provider asks for its
 * public key once more), or undefined when they are the terms it accepted: the same chain,
 * contract and price, the same provider and owner addresses, the same feature scaling. The
 * claims' signatures may differ (ECDSA is randomised); they are checked again all the same.
 */
export function requestorTermsChange(
  accepted: MsflRequestorTerms,
  offered: MsflRequestorTerms,
): string | undefined {
  const ledger = ledgerTermsChange(accepted.ledger, offered.ledger)
  if (ledger !== undefined) return ledger
  const same = (a: { address: string }, b: { address: string }) =>
    a.address.toLowerCase() === b.address.toLowerCase()
  if (!same(accepted.provider, offered.provider))
    return `the provider's address changed from ${accepted.provider.address} to ${offered.provider.address}`
  const moved = accepted.owners.find(
    (o, i) =>
      offered.owners[i]?.clientId !== o.clientId || !same(o, offered.owners[i] ?? { address: '' }),
  )
  if (moved !== undefined || accepted.owners.length !== offered.owners.length)
    return `the owners' addresses changed${moved ? ` (${moved.clientId})` : ''}`
  if (JSON.stringify(accepted.scaling ?? null) !== JSON.stringify(offered.scaling ?? null))
    return 'the feature scaling changed'
  return undefined
}

/**
 * Why an owner refuses run terms sent again mid-run, or undefined when they are the terms it
 * accepted: the same chain, contract and price, and the same requestor key, byte for byte.
 */
export function ownerTermsChange(
  accepted: MsflOwnerTerms,
  offered: MsflOwnerTerms,
): string | undefined {
  const ledger = ledgerTermsChange(accepted.ledger, offered.ledger)
  if (ledger !== undefined) return ledger
  const a = accepted.publicKey
  const b = offered.publicKey
  if (a.clientId !== b.clientId || !sameBytes(a.material, b.material))
    return "the requestor's public key changed"
  return undefined
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
