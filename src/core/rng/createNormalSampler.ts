/**
 * Standard normal samples from a uniform source by the Box–Muller transform; each
 * pair of uniforms yields two samples, the second kept for the next call.
 */
export function createNormalSampler(uniform: () => number): () => number {
  let spare: number | undefined
  return () => {
    if (spare !== undefined) {
      const v = spare
      spare = undefined
      return v
    }
    let u = 0
    while (u === 0) u = uniform()
    const v = uniform()
    const r = Math.sqrt(-2 * Math.log(u))
    spare = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }
}
