import type { ModularBackend } from './modularBackend.ts'

const WINDOW = 5

/**
 * Modular arithmetic on JS BigInt: left-to-right sliding-window exponentiation over
 * odd powers (2^(w−1) multiplications of precomputation, then one multiplication per
 * window instead of one per set bit). V8's BigInt has no constant-time operations, so
 * modPowSecret is the same variable-time routine: use gmp-wasm where decryption timing
 * is observable.
 */
export function createBigintBackend(): ModularBackend {
  return { name: 'bigint', modPow, modPowSecret: modPow, gcd }
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n
  if (exponent === 0n) return 1n
  const b = base % modulus
  const square = (b * b) % modulus
  const odd = [b]
  for (let i = 1; i < 1 << (WINDOW - 1); i++) odd.push((odd[i - 1]! * square) % modulus)
  const bits = exponent.toString(2)
  let result = 1n
  let i = 0
  while (i < bits.length) {
    if (bits[i] === '0') {
      result = (result * result) % modulus
      i++
      continue
    }
    // The longest window of at most WINDOW bits starting here that ends in a 1.
    let end = Math.min(i + WINDOW, bits.length)
    while (bits[end - 1] === '0') end--
    for (let k = i; k < end; k++) result = (result * result) % modulus
    result = (result * odd[(Number.parseInt(bits.slice(i, end), 2) - 1) >> 1]!) % modulus
    i = end
  }
  return result
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a
  let y = b < 0n ? -b : b
  while (y !== 0n) [x, y] = [y, x % y]
  return x
}
