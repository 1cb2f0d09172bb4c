/**
 * Σ cᵢ·uᵢ over equally long vectors, skipping zero coefficients. One contiguous
 * pass per update, so averaging costs what reading the updates costs.
 */
export function linearCombination(
  updates: readonly Float64Array[],
  coefficients: ArrayLike<number>,
  length: number,
): Float64Array {
  const out = new Float64Array(length)
  for (let i = 0; i < updates.length; i++) {
    const c = coefficients[i]!
    if (c === 0) continue
    const u = updates[i]!
    for (let j = 0; j < length; j++) out[j]! += c * u[j]!
  }
  return out
}
