/**
 * log(erfc(x)) to full double precision for every real x. The RDP of the sampled
 * Gaussian mechanism at fractional orders sums terms with erfc factors far in the tail
 * (erfc(30) ≈ 2.6e−393 underflows), so the logarithm is computed from the scaled
 * function erfcx(x) = e^{x²}·erfc(x) instead: log erfc(x) = log erfcx(x) − x².
 *
 * erfcx uses W. J. Cody's rational Chebyshev approximations ("Rational Chebyshev
 * approximations for the error function", Math. Comp. 23 (1969) 631–637; the
 * coefficients of Netlib SPECFUN CALERF), accurate to about 1e−16 relative error on
 * [0, 0.46875], (0.46875, 4] and (4, ∞).
 */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN
  if (x === Number.POSITIVE_INFINITY) return Number.NEGATIVE_INFINITY
  if (x >= 0) return Math.log(erfcxNonNegative(x)) - x * x
  // erfc(x) = 2 − erfc(−x) ∈ (1, 2] for x < 0: no cancellation, no underflow.
  const y = -x
  return Math.log(2 - erfcxNonNegative(y) * Math.exp(-y * y))
}

// Cody's coefficients, written in their shortest round-trip double form.
const A = [
  3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315,
]
const B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171]
const C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
]
const D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495,
]
const P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275,
  0.0006587491615298378, 0.016315387137302097,
]
const Q = [
  2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132,
  0.0023352049762686918,
]
const INV_SQRT_PI = 0.5641895835477563

/** e^{y²}·erfc(y) for y ≥ 0. */
function erfcxNonNegative(y: number): number {
  if (y <= 0.46875) {
    const z = y * y
    const erf = codyRational(A, B, z, y)
    return Math.exp(z) * (1 - erf)
  }
  if (y <= 4) return codyRational(C, D, y, 1)
  // Asymptotic region: erfcx(y) = (1/√π − R(1/y²)/y²)/y; past 6.7e7 the correction is below ulp.
  if (y >= 6.71e7) return INV_SQRT_PI / y
  const z = 1 / (y * y)
  const r = codyRational(P, Q, z, z)
  return (INV_SQRT_PI - r) / y
}

/**
 * factor · N(x) / M(x), each region's rational function in Cody's Horner form: with
 * n = q.length, N has the coefficients p (p[n] multiplies the highest power, p[n − 1]
 * is the constant term) and M is monic with the coefficients q, likewise ordered. The
 * factor multiplies the numerator before the division, as CALERF does.
 */
function codyRational(
  p: readonly number[],
  q: readonly number[],
  x: number,
  factor: number,
): number {
  const n = q.length
  let num = p[n]! * x
  let den = x
  for (let i = 0; i < n - 1; i++) {
    num = (num + p[i]!) * x
    den = (den + q[i]!) * x
  }
  return (factor * (num + p[n - 1]!)) / (den + q[n - 1]!)
}
