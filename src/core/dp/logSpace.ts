/**
 * Arithmetic on numbers kept as their logarithms. The RDP sums run over terms like
 * q^i·e^{i(i−1)/(2σ²)} that overflow or underflow doubles long before their sum does;
 * −Infinity stands for 0.
 */

/** log(e^a + e^b). */
export function logAdd(a: number, b: number): number {
  const hi = Math.max(a, b)
  const lo = Math.min(a, b)
  if (lo === Number.NEGATIVE_INFINITY) return hi
  return hi + Math.log1p(Math.exp(lo - hi))
}

/**
 * log(e^a − e^b) for a ≥ b. Returns undefined when b > a: the caller decides how to
 * treat a difference that rounding made negative.
 */
export function logSub(a: number, b: number): number | undefined {
  if (b > a) return undefined
  if (b === Number.NEGATIVE_INFINITY) return a
  if (a === b) return Number.NEGATIVE_INFINITY
  return a + Math.log(-Math.expm1(b - a))
}
