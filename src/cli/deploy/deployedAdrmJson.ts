import type { DeployedAdrmSummary } from '../../runtime/deploy/openDeployedAdrm.ts'

/** A deployed run's ADRM decisions and the chain's totals, as JSON (wei as decimal strings). */
export function deployedAdrmJson(defence: DeployedAdrmSummary | undefined): {
  adrm?: unknown
  ledger?: unknown
} {
  if (!defence) return {}
  const { ledger } = defence
  return {
    adrm: {
      reputations: defence.adrm.reputations,
      inspections: defence.inspections,
      blocks: defence.blocks,
      rollbacks: defence.rollbacks,
    },
    ledger: {
      chainId: ledger.chainId,
      contract: ledger.contract,
      deposit: ledger.deposit.toString(),
      payouts: Object.fromEntries(
        Object.entries(ledger.payouts).map(([name, wei]) => [name, wei.toString()]),
      ),
      refund: ledger.refund.toString(),
      escrowBalance: ledger.escrowBalance.toString(),
    },
  }
}
