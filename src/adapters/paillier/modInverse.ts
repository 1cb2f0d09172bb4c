/** a^-1 mod m by the extended Euclidean algorithm; throws when gcd(a, m) ≠ 1. */
export function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m]
  let [s0, s1] = [1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[s0, s1] = [s1, s0 - q * s1]
  }
  if (r0 !== 1n) throw new RangeError('modInverse: not invertible')
  return ((s0 % m) + m) % m
}
