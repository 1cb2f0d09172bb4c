/**
 * Mask arithmetic in Z_{2^32}. Client u's masked input is
 *   y_u = q_u + PRG(b_u) + Σ_{v paired, u < v} PRG(s_uv) − Σ_{v paired, u > v} PRG(s_uv)
 * (indices compared), so every pairwise mask enters the sum once with each sign and
 * cancels; s_uv = HKDF(X25519(s_u^SK, s_v^PK)) is the same for u and v.
 */

/** HKDF info of the pairwise mask seeds of a round. */
export function pairwiseMaskInfo(session: string): string {
  return JSON.stringify(['msfl-secagg/v1/pairwise-mask', session])
}

/** +1 when client `self` adds the mask it shares with `peer`, −1 when it subtracts it. */
export function pairwiseMaskSign(self: number, peer: number): 1 | -1 {
  return self < peer ? 1 : -1
}

/** target ← target + sign·mask (mod 2^32; a Uint32Array stores every result modulo 2^32). */
export function applyMask(target: Uint32Array, mask: Uint32Array, sign: 1 | -1): void {
  const n = target.length
  if (sign === 1) for (let i = 0; i < n; i++) target[i]! += mask[i]!
  else for (let i = 0; i < n; i++) target[i]! -= mask[i]!
}
