/** Pearson's χ² test of homogeneity of two histograms (df = bins − 1). */
export function chiSquareSame(a: readonly number[], b: readonly number[]): number {
  const na = a.reduce((s, c) => s + c, 0)
  const nb = b.reduce((s, c) => s + c, 0)
  let chi = 0
  for (let i = 0; i < a.length; i++) {
    const pooled = (a[i]! + b[i]!) / (na + nb)
    if (pooled === 0) continue
    chi += (a[i]! - na * pooled) ** 2 / (na * pooled) + (b[i]! - nb * pooled) ** 2 / (nb * pooled)
  }
  return chi
}

/** Upper critical value of χ²(df) at z standard deviations (Wilson–Hilferty); z = 5 ≈ p 3·10⁻⁷. */
export function chiSquareCritical(df: number, z = 5): number {
  const a = 2 / (9 * df)
  return df * (1 - a + z * Math.sqrt(a)) ** 3
}
