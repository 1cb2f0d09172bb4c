/** ROC curve points, from (0, 0) to (1, 1), with false and true positive rates as fractions. */
export interface RocCurve {
  readonly fpr: number[]
  readonly tpr: number[]
}

/**
 * The ROC curve of `scores` (higher = more positive) against `positive` (truthy =
 * positive). Rows are swept from the highest score down and one point is emitted per
 * distinct score, so tied rows move the curve diagonally at once: constant scores give
 * the single segment (0,0)→(1,1) and AUC 0.5, as ties should, whatever the row order.
 * Undefined when the curve is: no positive rows, no negative rows, or a NaN score
 * (a diverged model) anywhere.
 */
export function rocCurve(
  scores: ArrayLike<number>,
  positive: ArrayLike<number | boolean>,
): RocCurve | undefined {
  const n = scores.length
  let numPos = 0
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i]!)) return undefined
    if (positive[i]) numPos++
  }
  const numNeg = n - numPos
  if (numPos === 0 || numNeg === 0) return undefined

  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  // Comparisons rather than subtraction so ±Infinity scores sort correctly too.
  order.sort((a, b) => (scores[a]! > scores[b]! ? -1 : scores[a]! < scores[b]! ? 1 : 0))

  const fpr = [0]
  const tpr = [0]
  let tp = 0
  let fp = 0
  for (let k = 0; k < n; ) {
    const score = scores[order[k]!]!
    // Take the whole group of tied scores before emitting a point.
    while (k < n && scores[order[k]!]! === score) {
      if (positive[order[k]!]) tp++
      else fp++
      k++
    }
    fpr.push(fp / numNeg)
    tpr.push(tp / numPos)
  }
  return { fpr, tpr }
}

/** Area under a curve by the trapezoid rule (x must be non-decreasing, as ROC fpr is). */
export function aucFromCurve(curve: RocCurve): number {
  const { fpr, tpr } = curve
  let area = 0
  for (let i = 1; i < fpr.length; i++)
    area += ((fpr[i]! - fpr[i - 1]!) * (tpr[i]! + tpr[i - 1]!)) / 2
  return area
}

/** ROC AUC of a binary problem; undefined when rocCurve is. */
export function rocAuc(
  scores: ArrayLike<number>,
  positive: ArrayLike<number | boolean>,
): number | undefined {
  const curve = rocCurve(scores, positive)
  return curve === undefined ? undefined : aucFromCurve(curve)
}

/**
 * One-vs-rest macro AUC for K classes: the mean over classes c of the AUC of
 * probs[·][c] for "label = c" against "label ≠ c". probs is row-major n × K. Classes
 * absent from the labels (or present in every row) have no defined AUC and are left
 * out of the mean; undefined when no class has one.
 */
export function oneVsRestAuc(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
): number | undefined {
  const n = labels.length
  const scores = new Float64Array(n)
  const positive = new Uint8Array(n)
  let sum = 0
  let count = 0
  for (let c = 0; c < numClasses; c++) {
    for (let i = 0; i < n; i++) {
      scores[i] = probs[i * numClasses + c]!
      positive[i] = labels[i] === c ? 1 : 0
    }
    const auc = rocAuc(scores, positive)
    if (auc !== undefined) {
      sum += auc
      count++
    }
  }
  return count === 0 ? undefined : sum / count
}

/**
 * Micro-averaged ROC curve for K classes: every (row, class) pair is one binary
 * decision scored by probs[row][class] and positive when label = class, pooled into
 * a single curve (n·K points). This is the usual one-curve summary for multi-class
 * reports; its area generally differs from the macro one-vs-rest AUC.
 */
export function microAverageRocCurve(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
): RocCurve | undefined {
  const n = labels.length
  const positive = new Uint8Array(n * numClasses)
  for (let i = 0; i < n; i++) {
    const label = labels[i]!
    if (Number.isInteger(label) && label >= 0 && label < numClasses) {
      positive[i * numClasses + label] = 1
    }
  }
  const scores = new Float64Array(n * numClasses)
  for (let j = 0; j < scores.length; j++) scores[j] = probs[j]!
  return rocCurve(scores, positive)
}

/**
 * At most maxPoints points of a curve for reports, always keeping both end points and
 * spacing the rest evenly along the curve's length (|Δfpr| + |Δtpr|), so steep and
 * flat stretches both keep their shape. Compute AUC on the full curve, not on this.
 */
export function downsampleCurve(curve: RocCurve, maxPoints = 200): RocCurve {
  const { fpr, tpr } = curve
  const m = fpr.length
  if (m <= maxPoints || maxPoints < 2) return { fpr: [...fpr], tpr: [...tpr] }
  const cumulative = new Float64Array(m)
  for (let i = 1; i < m; i++) {
    cumulative[i] =
      cumulative[i - 1]! + Math.abs(fpr[i]! - fpr[i - 1]!) + Math.abs(tpr[i]! - tpr[i - 1]!)
  }
  const total = cumulative[m - 1]!
  const keep = [0]
  let i = 1
  for (let j = 1; j < maxPoints - 1; j++) {
    const target = (total * j) / (maxPoints - 1)
    while (i < m - 1 && cumulative[i]! < target) i++
    if (i >= m - 1) break
    if (i > keep[keep.length - 1]!) keep.push(i)
  }
  keep.push(m - 1)
  return { fpr: keep.map((k) => fpr[k]!), tpr: keep.map((k) => tpr[k]!) }
}
