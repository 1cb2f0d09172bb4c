import { MsflError } from '../errors/msflError.ts'
import {
  bigintToBytes,
  bytesToBigint,
  FIELD_PRIME,
  fieldInverse,
  fieldMul,
  fieldReduce,
  randomFieldElements,
} from './primeField.ts'

/**
 * Shamir t-of-n secret sharing over GF(2^256 + 297) (see primeField.ts) of 32-byte
 * secrets: the secret is the constant term of a random polynomial of degree t − 1 and
 * a share is its value at a holder's x-coordinate (1, 2, …). Any t shares determine the
 * polynomial; any t − 1 are consistent with every possible secret, so they reveal
 * nothing about it.
 */
export interface ShamirShare {
  readonly x: number
  readonly y: bigint
}

/** Lagrange weights keyed by the evaluation point and the x-coordinates, reused across secrets. */
export type LagrangeCache = Map<string, readonly bigint[]>

const SECRET_BYTES = 32

/** Shares live at x ≥ 1 (x = 0 is the secret); interpolation accepts any distinct x ≥ 0. */
function checkCoordinates(xs: readonly number[], least: 0 | 1): void {
  const seen = new Set<number>()
  for (const x of xs) {
    if (!Number.isSafeInteger(x) || x < least)
      throw new MsflError('PROTOCOL', `share x-coordinate must be an integer ≥ ${least}, got ${x}`)
    if (seen.has(x)) throw new MsflError('PROTOCOL', `share x-coordinate ${x} appears twice`)
    seen.add(x)
  }
}

/** The values at `xs` of a fresh random polynomial of degree threshold − 1 whose constant term is `secret`. */
export function shareSecret(
  secret: Uint8Array,
  xs: readonly number[],
  threshold: number,
  randomBytes: (length: number) => Uint8Array,
): bigint[] {
  if (!(secret instanceof Uint8Array) || secret.length !== SECRET_BYTES)
    throw new MsflError('PROTOCOL', `a shared secret must be ${SECRET_BYTES} bytes`)
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > xs.length)
    throw new MsflError(
      'PROTOCOL',
      `sharing threshold must be an integer in 1..${xs.length} (the number of holders), got ${threshold}`,
    )
  checkCoordinates(xs, 1)
  // coefficients[0] is the secret; the others are uniform field elements.
  const coefficients = [bytesToBigint(secret), ...randomFieldElements(threshold - 1, randomBytes)]
  const shares = xs.map((x) => {
    const xb = BigInt(x)
    let y = 0n
    for (let k = threshold - 1; k >= 0; k--) y = (y * xb + coefficients[k]!) % FIELD_PRIME
    return y
  })
  coefficients.fill(0n)
  return shares
}

/** Weights w_i with f(x) = Σ w_i·f(x_i) for every polynomial of degree < xs.length. */
export function lagrangeWeights(
  xs: readonly number[],
  x: number,
  cache?: LagrangeCache,
): readonly bigint[] {
  const key = `${x}:${xs.join(',')}`
  const cached = cache?.get(key)
  if (cached) return cached
  checkCoordinates(xs, 0)
  if (xs.includes(x))
    throw new MsflError('PROTOCOL', `cannot interpolate at a share's own x = ${x}`)
  const numerators: bigint[] = []
  const denominators: bigint[] = []
  for (let i = 0; i < xs.length; i++) {
    let num = 1n
    let den = 1n
    for (let j = 0; j < xs.length; j++) {
      if (j === i) continue
      num = fieldMul(num, fieldReduce(BigInt(x - xs[j]!)))
      den = fieldMul(den, fieldReduce(BigInt(xs[i]! - xs[j]!)))
    }
    numerators.push(num)
    denominators.push(den)
  }
  // Montgomery's trick: one field inversion for all denominators.
  const prefix: bigint[] = []
  let running = 1n
  for (const d of denominators) {
    prefix.push(running)
    running = fieldMul(running, d)
  }
  let inverse = fieldInverse(running)
  const weights = new Array<bigint>(xs.length)
  for (let i = xs.length - 1; i >= 0; i--) {
    weights[i] = fieldMul(numerators[i]!, fieldMul(inverse, prefix[i]!))
    inverse = fieldMul(inverse, denominators[i]!)
  }
  cache?.set(key, weights)
  return weights
}

/** The value at `x` of the polynomial through `points`. */
export function interpolateAt(
  points: readonly ShamirShare[],
  x: number,
  cache?: LagrangeCache,
): bigint {
  const weights = lagrangeWeights(
    points.map((p) => p.x),
    x,
    cache,
  )
  let value = 0n
  for (let i = 0; i < points.length; i++) value += weights[i]! * points[i]!.y
  return value % FIELD_PRIME
}

/**
 * Recovers a 32-byte secret from the first `threshold` shares. Fewer shares are an
 * error, not a guess. When a further share is at hand it must lie on the same
 * polynomial, so a single corrupted or mismatched share among the t + 1 is detected
 * (with exactly t shares no check is possible).
 */
export function reconstructSecret(
  shares: readonly ShamirShare[],
  threshold: number,
  cache?: LagrangeCache,
): Uint8Array {
  if (!Number.isInteger(threshold) || threshold < 1)
    throw new MsflError(
      'PROTOCOL',
      `reconstruction threshold must be a positive integer, got ${threshold}`,
    )
  if (shares.length < threshold)
    throw new MsflError(
      'PROTOCOL',
      `need ${threshold} shares to reconstruct a secret, got ${shares.length}`,
    )
  for (const s of shares)
    if (typeof s.y !== 'bigint' || s.y < 0n || s.y >= FIELD_PRIME)
      throw new MsflError('PROTOCOL', `share at x = ${s.x} is not a field element`)
  const basis = shares.slice(0, threshold)
  const witness = shares[threshold]
  const inconsistent = () =>
    new MsflError('PROTOCOL', 'the shares are inconsistent: they do not lie on one polynomial')
  if (witness && interpolateAt(basis, witness.x, cache) !== witness.y) throw inconsistent()
  const secret = interpolateAt(basis, 0, cache)
  // Secrets are below 2^256 < p: a larger value can only come from a corrupted share.
  if (secret >> BigInt(8 * SECRET_BYTES) !== 0n) throw inconsistent()
  return bigintToBytes(secret, SECRET_BYTES)
}
