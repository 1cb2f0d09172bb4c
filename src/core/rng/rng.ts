/**
 * Randomness is always injected. `kind` lets networked runtimes refuse a seeded
 * generator where keys, masks or DP noise are drawn (fail closed).
 */
export interface Rng {
  readonly kind: 'seeded' | 'csprng'
  /** Uniform float in [0, 1). */
  next(): number
  /** Uniform integer in [0, bound). */
  nextInt(bound: number): number
  /** Standard normal sample. */
  normal(): number
}
