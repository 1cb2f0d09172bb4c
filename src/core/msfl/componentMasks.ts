import { MsflError } from '../errors/msflError.ts'
import type { HeParameters } from '../ports/he.ts'
import type { Rng } from '../rng/rng.ts'
import type { BlockLayout } from './blockLayout.ts'
import { gradientSlot } from './blockLayout.ts'

/**
 * The service provider's masks for one round (SPEC C2 step 4): per component j a
 * pair (c_j ≠ 0, d_j) shared by every data owner, so that [β̂_ij] = c_j·[β_ij] + d_j.
 *
 * `component` (the paper's mode) draws a fresh c_j for every component: MR learns,
 * per component, the order of the owners' values and their relative distances (an
 * affine image of the values), never the values. `global-scale` uses one c for all
 * components (fresh d_j each): MR can then also compare whole masked updates (Krum,
 * cosine similarity) because distances between owners' vectors are all scaled by the
 * same |c| — it additionally learns the ratios of distances across components.
 * Colluding MR and SP learn everything (they hold both the key and the masks).
 */
export type MaskMode = 'component' | 'global-scale'

export interface ComponentMasks {
  readonly scale: Float64Array
  readonly shift: Float64Array
}

/**
 * B, the range of the values the shift hides: |β_j| ≤ B for an honest owner's component.
 * β_j = (1/m)·Σ_r (σ̃(z_r) − y_r)·x_rj with L2-normalised rows (|x_rj| ≤ 1), and the
 * cubic σ̃(z) = 0.5 + 0.197z − 0.004z³ stays within [−0.033, 1.033] while |z| ≤ 7 (its
 * extremes are at |z| = 4.05), so |σ̃ − y| ≤ 1.033 and |β_j| ≤ 1.033 < B.
 * test/msfl/maskLeakage.test.ts checks it on Adult gradients.
 */
export const MASKED_VALUE_BOUND = 1.04

/** E|c| for |c| = 0.5·4^u, u uniform on [0, 1): (2 − 0.5) / ln 4. */
export const MEAN_MASK_SCALE = 1.5 / Math.log(4)

/**
 * D, the half-width of the shifts d_j ~ U[−D, D], as large as the masked value can be
 * decoded: the requestor decrypts c·β + d at the last level (modulus q_0, scale 2^scaleBits),
 * where CKKS decodes magnitudes below 2^(log2 q_0 − scaleBits − 1); D takes half of that,
 * leaving the other half for |c·β| ≤ 2B and the CKKS error. For ckks-16384 (q_0 of 60 bits,
 * scale 2^50): D = 256. A wider D costs no precision: CKKS's error is absolute, and the
 * selection only uses differences, in which d cancels.
 */
export function maskShiftBound(
  parameters: Pick<HeParameters, 'coeffModulusBits' | 'scaleBits'>,
): number {
  const bits = parameters.coeffModulusBits[0]! - parameters.scaleBits - 2
  if (bits < 4)
    throw new MsflError(
      'CONFIG_INVALID',
      `he: the last level leaves ${bits + 2} bits above the scale; the masks need at least 6`,
    )
  return 2 ** bits
}

/**
 * ε, the statistical distance between what the requestor sees of one component in one
 * round in two worlds where every owner's value differs by the same δ (|δ| ≤ 2B: the
 * same differences, the selection's input, but other values): given c the masked values
 * are shifted by c·δ under a uniform d of width 2D, so ε ≤ E|c|·|δ|/(2D) ≤ E|c|·B/D.
 * Distances add up over components and rounds (each has a fresh d). It bounds what the
 * masks hide before the round's aggregate is released; docs/msfl-protocol.md says what
 * the aggregate adds.
 */
export function maskLeakageBound(valueBound: number, shiftBound: number): number {
  return (MEAN_MASK_SCALE * valueBound) / shiftBound
}

/**
 * Draws masks from the CSPRNG (a seeded Rng is refused because masks are secrets): c with
 * |c| = 0.5·4^u and a random sign, d uniform on [−shiftBound, shiftBound] (maskShiftBound).
 */
export function drawComponentMasks(
  components: number,
  mode: MaskMode,
  rng: Rng,
  shiftBound: number,
): ComponentMasks {
  if (rng.kind !== 'csprng')
    throw new MsflError('PROTOCOL', 'masks must come from a CSPRNG (got a seeded generator)')
  if (!(shiftBound > 0 && Number.isFinite(shiftBound)))
    throw new MsflError(
      'PROTOCOL',
      `masks: shiftBound must be a positive number, got ${shiftBound}`,
    )
  const nonZero = () => {
    // |c| in [0.5, 2) with a random sign: never 0, never so small that CKKS noise dominates.
    const magnitude = 0.5 * 4 ** rng.next()
    return rng.next() < 0.5 ? -magnitude : magnitude
  }
  const shared = nonZero()
  const scale = Float64Array.from({ length: components }, () =>
    mode === 'global-scale' ? shared : nonZero(),
  )
  const shift = Float64Array.from({ length: components }, () => shiftBound * (2 * rng.next() - 1))
  return { scale, shift }
}

/**
 * Plaintext vectors that apply masks to a gradient (`gradientSlot` layout): per ciphertext, a
 * multiplier with c_j at component j's slot and 0 elsewhere (so everything but the
 * gradient is erased before MR decrypts), and the matching shift vector.
 */
export function maskVectors(
  layout: BlockLayout,
  masks: ComponentMasks,
  /** Index of the first of this head's components among all masked components. */
  offset = 0,
): { multiply: Float64Array[]; add: Float64Array[] } {
  const multiply = Array.from(
    { length: layout.gradientCiphertexts },
    () => new Float64Array(layout.slots),
  )
  const add = Array.from(
    { length: layout.gradientCiphertexts },
    () => new Float64Array(layout.slots),
  )
  for (let j = 0; j < layout.components; j++) {
    const { ciphertext, slot } = gradientSlot(layout, j)
    multiply[ciphertext]![slot] = masks.scale[offset + j]!
    add[ciphertext]![slot] = masks.shift[offset + j]!
  }
  return { multiply, add }
}

/**
 * Per ciphertext, the 0/1 plaintext that keeps owner i's component j iff the table
 * selected it: the SP multiplies each owner's unmasked gradient by it and sums.
 */
export function selectionVectors(
  layout: BlockLayout,
  selected: Uint8Array,
  owners: number,
  owner: number,
  /** Index of the first of this head's components in the table. */
  offset = 0,
): Float64Array[] {
  const out = Array.from(
    { length: layout.gradientCiphertexts },
    () => new Float64Array(layout.slots),
  )
  for (let j = 0; j < layout.components; j++) {
    if (selected[(offset + j) * owners + owner] !== 1) continue
    const { ciphertext, slot } = gradientSlot(layout, j)
    out[ciphertext]![slot] = 1
  }
  return out
}

/** Reads the component values out of decrypted gradient ciphertexts (`gradientSlot` layout). */
export function readComponents(
  layout: BlockLayout,
  decrypted: readonly Float64Array[],
): Float64Array {
  return Float64Array.from({ length: layout.components }, (_, j) => {
    const { ciphertext, slot } = gradientSlot(layout, j)
    return decrypted[ciphertext]![slot]!
  })
}
