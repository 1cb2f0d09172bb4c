/** One round's detection outcome: who sent an update, and whose update was flagged. */
export interface DetectionRound {
  readonly round: number
  readonly inspected: readonly string[]
  readonly flagged: readonly string[]
}

/** Detection quality against the known attackers (simulation only), over (round, update) pairs. */
export interface DetectionMetrics {
  readonly truePositives: number
  readonly falsePositives: number
  readonly falseNegatives: number
  readonly trueNegatives: number
  /** TP / (TP + FP); null when nothing was flagged. */
  readonly precision: number | null
  /** TP / (TP + FN); null when no attacker sent an update. */
  readonly recall: number | null
  /** FP / (FP + TN); null when no honest client sent an update. */
  readonly falsePositiveRate: number | null
}

/**
 * Counts every inspected update once: an attacker's flagged update is a true positive,
 * an honest one's a false positive. Updates never inspected (a blocked client, an
 * unreachable one) count for neither side.
 */
export function detectionMetrics(
  rounds: readonly DetectionRound[],
  attackers: ReadonlySet<string>,
): DetectionMetrics {
  let tp = 0
  let fp = 0
  let fn = 0
  let tn = 0
  for (const r of rounds) {
    const flagged = new Set(r.flagged)
    for (const id of r.inspected) {
      const malicious = attackers.has(id)
      if (flagged.has(id)) malicious ? tp++ : fp++
      else malicious ? fn++ : tn++
    }
  }
  const ratio = (a: number, b: number) => (a + b === 0 ? null : a / (a + b))
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision: ratio(tp, fp),
    recall: ratio(tp, fn),
    falsePositiveRate: ratio(fp, tn),
  }
}
