/** a − b element-wise, as a new vector: a client's update is its parameters minus the global ones. */
export function vectorDifference(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length)
  for (let j = 0; j < a.length; j++) out[j] = a[j]! - b[j]!
  return out
}
