import type { ServerOptimizerSpec } from './parseStrategySpec.ts'

/**
 * A stateful server step: from the global parameters x and the round's aggregated
 * change Δ (the mean of client parameters minus x, a negative pseudo-gradient), the next
 * global parameters. It keeps its moments between calls, so make one per run.
 */
export type ServerOptimizer = (params: Float64Array, change: Float64Array) => Float64Array

/**
 * The server optimisers of FedOpt, each on Δ as Algorithm 2 of Reddi, Charles, Zaheer,
 * Garrett, Rush, Konečný, Kumar, McMahan, "Adaptive Federated Optimization", ICLR 2021:
 *
 * - fedavgm (Hsu, Qi, Brown, arXiv:1909.06335, 2019): v ← β·v + Δ, x ← x + η·v;
 * - fedadagrad: m ← β1·m + (1 − β1)·Δ, v ← v + Δ², x ← x + η·m / (√v + τ);
 * - fedadam: as fedadagrad with v ← β2·v + (1 − β2)·Δ²;
 * - fedyogi: as fedadagrad with v ← v − (1 − β2)·Δ²·sign(v − Δ²).
 *
 * m starts at 0 and v at τ² (the paper's v₋₁ ≥ τ²); there is no bias correction, as in
 * the paper. All operations are per coordinate.
 */
export function createServerOptimizer(spec: ServerOptimizerSpec): ServerOptimizer {
  let first: Float64Array | undefined
  let second: Float64Array | undefined
  return (params, change) => {
    const p = params.length
    const next = new Float64Array(p)
    if (spec.name === 'fedavgm') {
      const { lr, momentum } = spec.options
      if (!first) first = new Float64Array(p)
      const v = first
      for (let j = 0; j < p; j++) {
        v[j] = momentum * v[j]! + change[j]!
        next[j] = params[j]! + lr * v[j]!
      }
      return next
    }
    const { lr, beta1, tau } = spec.options
    const beta2 = spec.name === 'fedadagrad' ? 0 : spec.options.beta2
    if (!first || !second) {
      first = new Float64Array(p)
      second = new Float64Array(p).fill(tau * tau)
    }
    const m = first
    const v = second
    for (let j = 0; j < p; j++) {
      const d = change[j]!
      const d2 = d * d
      m[j] = beta1 * m[j]! + (1 - beta1) * d
      if (spec.name === 'fedadagrad') v[j]! += d2
      else if (spec.name === 'fedadam') v[j] = beta2 * v[j]! + (1 - beta2) * d2
      else v[j]! -= (1 - beta2) * d2 * Math.sign(v[j]! - d2)
      next[j] = params[j]! + (lr * m[j]!) / (Math.sqrt(v[j]!) + tau)
    }
    return next
  }
}
