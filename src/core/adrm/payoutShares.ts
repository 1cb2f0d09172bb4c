/**
 * Each client's share of a payout: proportional to its contribution (e.g. the
 * components or examples it contributed) times its reputation. Clients below
 * `minReputation` get nothing. Shares sum to 1, or are all 0 when no one qualifies,
 * so the ledger can split any amount (and keep what rounding leaves over).
 */
export function payoutShares(
  entries: readonly {
    readonly clientId: string
    readonly reputation: number
    readonly contribution: number
  }[],
  minReputation = 0,
): Record<string, number> {
  const raw = entries.map((e) =>
    e.reputation >= minReputation && e.contribution > 0 && e.reputation > 0
      ? e.contribution * e.reputation
      : 0,
  )
  const total = raw.reduce((a, b) => a + b, 0)
  const shares: Record<string, number> = {}
  entries.forEach((e, i) => {
    shares[e.clientId] = (shares[e.clientId] ?? 0) + (total > 0 ? raw[i]! / total : 0)
  })
  return shares
}
