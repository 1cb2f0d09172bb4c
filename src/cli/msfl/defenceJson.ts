import type { RunLedgerRecord } from '../../adapters/ledger-evm/index.ts'
import type { DefenceSummary } from '../../runtime/defence/openDefences.ts'
import { ledgerJson } from './formatLedger.ts'

/** The `detection`, `defence`, `verification` and `ledger` parts of a plain run's --json summary. */
export function defenceJson(
  summary: Omit<DefenceSummary, 'ledger'> & { readonly ledger?: DefenceSummary['ledger'] },
  record: RunLedgerRecord | undefined,
) {
  const d = summary.detection
  return {
    ...(d
      ? {
          detection: {
            precision: d.precision,
            recall: d.recall,
            false_positive_rate: d.falsePositiveRate,
            true_positives: d.truePositives,
            false_positives: d.falsePositives,
            false_negatives: d.falseNegatives,
            true_negatives: d.trueNegatives,
            rollbacks: summary.rollbacks,
            blocks: summary.blocks,
          },
        }
      : {}),
    ...(summary.adrm
      ? {
          defence: {
            reputations: summary.adrm.reputations,
            blocked: summary.adrm.blocked,
            quarantine: summary.adrm.quarantine,
            model: summary.adrm.model,
            rollbacks: summary.adrm.rollbacks,
            inspected: summary.adrm.inspected,
            flagged: summary.adrm.flagged,
            ...(summary.adrm.anomalyModel ? { anomaly_model: summary.adrm.anomalyModel } : {}),
          },
        }
      : {}),
    ...(summary.verification ? { verification: summary.verification } : {}),
    ...(summary.ledger ? { ledger: ledgerJson(summary.ledger, record) } : {}),
  }
}
