import { MsflError } from '../errors/msflError.ts'
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

/** Draws masks from the CSPRNG; a seeded Rng is refused because masks are secrets. */
export function drawComponentMasks(components: number, mode: MaskMode, rng: Rng): ComponentMasks {
  if (rng.kind !== 'csprng')
    throw new MsflError('PROTOCOL', 'masks must come from a CSPRNG (got a seeded generator)')
  const nonZero = () => {
    // |c| in [0.5, 2) with a random sign: never 0, never so small that CKKS noise dominates.
    const magnitude = 0.5 * 4 ** rng.next()
    return rng.next() < 0.5 ? -magnitude : magnitude
  }
  const shared = nonZero()
  const scale = Float64Array.from({ length: components }, () =>
    mode === 'global-scale' ? shared : nonZero(),
  )
  const shift = Float64Array.from({ length: components }, () => 8 * (2 * rng.next() - 1))
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
