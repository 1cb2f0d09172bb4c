/**
 * Whether two byte strings are equal, in time that depends only on their lengths:
 * digests and MACs are compared with this, so a mismatch position never leaks
 * through timing.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!
  return difference === 0
}
