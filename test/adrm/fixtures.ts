import { createSeededRng } from '../../src/core/rng/seededRng.ts'

export type SyntheticAttack = 'gaussian' | 'sign-flip' | 'scaled' | 'alie'

export interface SyntheticRound {
  readonly updates: { clientId: string; numExamples: number; update: Float64Array }[]
  readonly attackers: ReadonlySet<string>
}

/**
 * One round of synthetic updates. Honest clients share a direction g (‖g‖ = 1) and
 * add their own noise (‖noise‖ ≈ 0.5, so honest cosines are about 0.8) and a size
 * factor in [0.9, 1.1] (more or fewer local steps). Attackers:
 * - gaussian: N(0, 10²) in every coordinate;
 * - sign-flip: an honest-looking update times −k, k uniform in [1, 4];
 * - scaled: an honest-looking update times 10;
 * - alie: the honest coordinate-wise mean minus 1 × their standard deviation, the same
 *   vector for every attacker (Baruch et al. 2019 with z = 1: a subtle shift).
 * Attackers are clients 0, 4, 8, … so they are neither first nor last in the list.
 */
export function syntheticRound(
  attack: SyntheticAttack | 'none',
  options: { clients?: number; attackers?: number; params?: number; seed: number },
): SyntheticRound {
  const clients = options.clients ?? 10
  const attackerCount = attack === 'none' ? 0 : (options.attackers ?? 3)
  const params = options.params ?? 1000
  const rng = createSeededRng(options.seed)
  // The direction is shared by every round of one seed family: derive it from a fixed seed.
  const directionRng = createSeededRng(1234)
  const direction = Float64Array.from(
    { length: params },
    () => directionRng.normal() / Math.sqrt(params),
  )
  const honestLike = () => {
    const size = 0.9 + 0.2 * rng.next()
    return Float64Array.from(
      { length: params },
      (_, j) => size * (direction[j]! + (0.5 * rng.normal()) / Math.sqrt(params)),
    )
  }
  const attackerIndices = new Set(
    Array.from({ length: attackerCount }, (_, k) => (4 * k) % clients),
  )
  const honest: Float64Array[] = []
  const vectors: (Float64Array | undefined)[] = Array.from({ length: clients }, (_, i) => {
    if (attackerIndices.has(i)) return undefined
    const u = honestLike()
    honest.push(u)
    return u
  })
  let alie: Float64Array | undefined
  for (const i of attackerIndices) {
    switch (attack) {
      case 'gaussian':
        vectors[i] = Float64Array.from({ length: params }, () => 10 * rng.normal())
        break
      case 'sign-flip': {
        const k = 1 + 3 * rng.next()
        vectors[i] = honestLike().map((v) => -k * v)
        break
      }
      case 'scaled':
        vectors[i] = honestLike().map((v) => 10 * v)
        break
      case 'alie':
        alie ??= alieVector(honest, 1)
        vectors[i] = Float64Array.from(alie)
        break
    }
  }
  return {
    updates: vectors.map((update, i) => ({
      clientId: `do-${i}`,
      numExamples: 100 + i,
      update: update!,
    })),
    attackers: new Set([...attackerIndices].map((i) => `do-${i}`)),
  }
}

function alieVector(honest: readonly Float64Array[], z: number): Float64Array {
  const length = honest[0]!.length
  const out = new Float64Array(length)
  for (let j = 0; j < length; j++) {
    let mean = 0
    for (const u of honest) mean += u[j]! / honest.length
    let variance = 0
    for (const u of honest) variance += (u[j]! - mean) ** 2 / honest.length
    out[j] = mean - z * Math.sqrt(variance)
  }
  return out
}

/** Recall and false-positive rate of `flagged` against the known attackers. */
export function rates(
  decisions: readonly { clientId: string; flagged: boolean }[],
  attackers: ReadonlySet<string>,
): { tp: number; fn: number; fp: number; tn: number } {
  let tp = 0
  let fn = 0
  let fp = 0
  let tn = 0
  for (const d of decisions) {
    if (attackers.has(d.clientId)) d.flagged ? tp++ : fn++
    else d.flagged ? fp++ : tn++
  }
  return { tp, fn, fp, tn }
}

/** c·u + d for every update, with one c and one d vector: the MS-FL global-scale mask. */
export function affineImage(
  updates: readonly Float64Array[],
  c: number,
  seed: number,
): Float64Array[] {
  const rng = createSeededRng(seed)
  const d = Float64Array.from({ length: updates[0]!.length }, () => 8 * (2 * rng.next() - 1))
  return updates.map((u) => u.map((v, j) => c * v + d[j]!))
}
