import { keccak256 } from 'viem'
import { MsflError } from '../../core/errors/msflError.ts'
import type { Hex } from './chainClient.ts'
import {
  maxCombinatorialOwners,
  packCombinatorial,
  uniformSelectionSize,
  unpackCombinatorial,
} from './combinatorialTable.ts'
import { packSelection, unpackSelection } from './contributionBitmap.ts'

/**
 * The table formats of the contract's commitTable (its `format` argument). `bitmap`: one
 * bit per (component, owner), k = 0 (contributionBitmap.ts). `combinatorial`: every
 * component selects exactly k owners, each component one rank (combinatorialTable.ts).
 */
export const TableFormat = { bitmap: 0, combinatorial: 1 } as const
export type TableFormat = (typeof TableFormat)[keyof typeof TableFormat]

/** A contribution table as commitTable takes it and TableCommitted carries it. */
export interface EncodedTable {
  readonly format: TableFormat
  /** Owners per component in the combinatorial format; 0 for the bitmap. */
  readonly k: number
  readonly table: Uint8Array
}

/**
 * Encodes selected[j·t + i] in `format`; without one, in the smallest that applies: the
 * combinatorial format when every component selects the same k owners with 0 < k < t ≤
 * 255, the bitmap otherwise. Throws MsflError('PROTOCOL') when the table does not fit
 * the requested format.
 */
export function encodeContributionTable(
  selected: Uint8Array,
  owners: number,
  components: number,
  format?: TableFormat,
): EncodedTable {
  const k = uniformSelectionSize(selected, owners, components)
  const fits = k !== undefined && k > 0 && k < owners && owners <= maxCombinatorialOwners
  if (format === TableFormat.combinatorial || (format === undefined && fits)) {
    if (!fits)
      throw new MsflError(
        'PROTOCOL',
        `contribution table: the combinatorial format needs the same 0 < k < t ≤ ${maxCombinatorialOwners} owners in every component`,
      )
    return {
      format: TableFormat.combinatorial,
      k,
      table: packCombinatorial(selected, owners, components, k),
    }
  }
  if (format !== undefined && format !== TableFormat.bitmap)
    throw new MsflError('PROTOCOL', `contribution table: unknown format ${format}`)
  return { format: TableFormat.bitmap, k: 0, table: packSelection(selected, owners, components) }
}

/**
 * The inverse of encodeContributionTable for a table received with its format and k:
 * rejects (MsflError('PROTOCOL')) an unknown format, a k the format does not allow, a
 * wrong size, set padding bits and, in the combinatorial format, ranks at or above C(t, k).
 */
export function decodeContributionTable(
  table: Uint8Array,
  owners: number,
  components: number,
  format: number,
  k: number,
): Uint8Array {
  if (format === TableFormat.bitmap) {
    if (k !== 0)
      throw new MsflError('PROTOCOL', `contribution table: a bitmap has k = 0, got k = ${k}`)
    return unpackSelection(table, owners, components)
  }
  if (format === TableFormat.combinatorial) return unpackCombinatorial(table, owners, components, k)
  throw new MsflError('PROTOCOL', `contribution table: unknown format ${format}`)
}

/** The contract's tableHash: keccak256(abi.encodePacked(uint8 format, uint8 k, table)). */
export function hashContributionTable(format: number, k: number, table: Uint8Array): Hex {
  if (![format, k].every((x) => Number.isInteger(x) && x >= 0 && x <= 255))
    throw new MsflError('PROTOCOL', `contribution table: format ${format} and k ${k} are uint8`)
  const packed = new Uint8Array(table.length + 2)
  packed.set([format, k])
  packed.set(table, 2)
  return keccak256(packed)
}
