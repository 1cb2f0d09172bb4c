import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import type { AttackSpec } from './attackCatalog.ts'
import { alieZ } from './normalQuantile.ts'
import { optimisedPerturbation } from './optimisedPerturbation.ts'

/** What an attacker knows when it crafts its update. */
export interface AttackerKnowledge {
  /** Its own honestly computed update (delta from the global model, or gradient). */
  readonly own: Float64Array
  /** The honest updates of this round: present only in omniscient mode. */
  readonly honest?: readonly Float64Array[]
  /** Participants in the round and how many of them are malicious (for ALIE's z). */
  readonly participants: number
  readonly attackers: number
}

/**
 * The update a model-poisoning attacker sends instead of its honest one. Pure: the
 * only randomness is the injected (seeded) Rng, so attacks replay exactly.
 */
export function craftUpdate(attack: AttackSpec, k: AttackerKnowledge, rng: Rng): Float64Array {
  const o = attack.options
  const length = k.own.length
  switch (attack.name) {
    case 'gaussian': {
      const sigma = o['sigma'] as number
      return Float64Array.from({ length }, () => sigma * rng.normal())
    }
    case 'sign-flip':
      return scaled(k.own, -(o['scale'] as number))
    case 'scaling':
      return scaled(o['base'] === 'own' ? k.own : mean(honestOf(attack, k)), o['factor'] as number)
    case 'ipm':
      return scaled(mean(honestOf(attack, k)), -(o['epsilon'] as number))
    case 'alie': {
      const honest = honestOf(attack, k)
      const z = (o['z'] as number) >= 0 ? (o['z'] as number) : alieZ(k.participants, k.attackers)
      const jitter = o['jitter'] as number
      const mu = mean(honest)
      const out = new Float64Array(length)
      for (let j = 0; j < length; j++) {
        let variance = 0
        for (const u of honest) variance += (u[j]! - mu[j]!) ** 2
        const sigma = Math.sqrt(variance / honest.length)
        // Each attacker draws its own jitter (its Rng is its own), so no two send equal copies.
        out[j] = mu[j]! - z * sigma + (jitter > 0 ? jitter * sigma * rng.normal() : 0)
      }
      return out
    }
    case 'min-max':
    case 'min-sum':
      return optimisedPerturbation(honestOf(attack, k), attack.name).update
    case 'backdoor':
      return scaled(k.own, o['boost'] as number)
    default:
      throw new MsflError('CONFIG_INVALID', `attack ${attack.name} does not craft updates`)
  }
}

function honestOf(attack: AttackSpec, k: AttackerKnowledge): readonly Float64Array[] {
  if (!k.honest)
    throw new MsflError(
      'PROTOCOL',
      `attack ${attack.name} needs the honest updates: run it in omniscient mode`,
    )
  if (k.honest.length === 0)
    throw new MsflError('PROTOCOL', `attack ${attack.name}: no honest update to imitate this round`)
  return k.honest
}

function scaled(v: Float64Array, factor: number): Float64Array {
  const out = new Float64Array(v.length)
  for (let j = 0; j < v.length; j++) out[j] = factor * v[j]!
  return out
}

function mean(vectors: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(vectors[0]!.length)
  for (const v of vectors) for (let j = 0; j < v.length; j++) out[j]! += v[j]!
  for (let j = 0; j < out.length; j++) out[j]! /= vectors.length
  return out
}
