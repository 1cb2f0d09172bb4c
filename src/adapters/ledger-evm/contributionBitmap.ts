import { MsflError } from '../../core/errors/msflError.ts'

/**
 * The contract's bitmap table format (TableFormat.bitmap, the fallback of
 * contributionTable.ts): component-major, one bit per owner. Bit k = j × owners + i (owner i, component j) is bit k mod 8 of byte ⌊k/8⌋,
 * least significant first; the unused high bits of the last byte are zero, so every
 * table has exactly one encoding and one hash.
 */
export function packSelection(
  selected: Uint8Array,
  owners: number,
  components: number,
): Uint8Array {
  const bits = owners * components
  if (selected.length !== bits)
    throw new MsflError(
      'PROTOCOL',
      `contribution table: selected has ${selected.length} cells, expected owners × components = ${bits}`,
    )
  const bitmap = new Uint8Array(Math.ceil(bits / 8))
  for (let k = 0; k < bits; k++) {
    const cell = selected[k]!
    if (cell > 1)
      throw new MsflError('PROTOCOL', `contribution table: selected[${k}] is ${cell}, not 0 or 1`)
    if (cell === 1) bitmap[k >> 3]! |= 1 << (k & 7)
  }
  return bitmap
}

/** The inverse of packSelection; rejects a bitmap of the wrong size or with padding bits set. */
export function unpackSelection(
  bitmap: Uint8Array,
  owners: number,
  components: number,
): Uint8Array {
  const bits = owners * components
  if (bitmap.length !== Math.ceil(bits / 8))
    throw new MsflError(
      'PROTOCOL',
      `contribution table: the bitmap has ${bitmap.length} bytes, ${owners} owners × ${components} components need ${Math.ceil(bits / 8)}`,
    )
  if (bits % 8 !== 0 && bitmap[bitmap.length - 1]! >> (bits % 8) !== 0)
    throw new MsflError('PROTOCOL', 'contribution table: padding bits after the last cell are set')
  const selected = new Uint8Array(bits)
  for (let k = 0; k < bits; k++) selected[k] = (bitmap[k >> 3]! >> (k & 7)) & 1
  return selected
}

/** How many components each owner contributed to. */
export function countSelections(selected: Uint8Array, owners: number): number[] {
  const counts = new Array<number>(owners).fill(0)
  for (let k = 0; k < selected.length; k++) counts[k % owners]! += selected[k]!
  return counts
}
