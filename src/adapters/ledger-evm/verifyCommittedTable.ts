import { hexToBytes, keccak256 } from 'viem'
import { MsflError } from '../../core/errors/msflError.ts'
import { countSelections, unpackSelection } from './contributionBitmap.ts'
import type { SettlementEventOf } from './settlementEvents.ts'

/**
 * What a data owner (or the service provider) runs before accepting a round: checks the
 * packed table it received against the round's TableCommitted event. A table altered in
 * transit fails the hash; a requestor that committed counts other than its own table's
 * (to underpay someone) fails the count check. Pure: no chain access, no clock. Returns
 * the unpacked selection, selected[j × owners + i].
 */
export function verifyCommittedTable(
  received: Uint8Array,
  committed: Pick<
    SettlementEventOf<'TableCommitted'>,
    'components' | 'contributions' | 'tableHash' | 'counts'
  >,
  ownerCount: number,
): Uint8Array {
  if (committed.counts.length !== ownerCount)
    throw new MsflError(
      'PROTOCOL',
      `contribution table: the committed counts name ${committed.counts.length} owners, the round has ${ownerCount}`,
    )
  if (keccak256(received).toLowerCase() !== committed.tableHash.toLowerCase())
    throw new MsflError(
      'PROTOCOL',
      'contribution table: the table does not hash to the committed tableHash (altered, or from another round)',
    )
  const selected = unpackSelection(received, ownerCount, committed.components)
  const counts = countSelections(selected, ownerCount)
  counts.forEach((count, i) => {
    if (count !== committed.counts[i])
      throw new MsflError(
        'PROTOCOL',
        `contribution table: owner ${i} has ${count} selected components in the table but ${committed.counts[i]} in the committed counts`,
      )
  })
  const total = counts.reduce((sum, c) => sum + BigInt(c), 0n)
  if (total !== committed.contributions)
    throw new MsflError(
      'PROTOCOL',
      `contribution table: ${total} selected cells, the committed total is ${committed.contributions}`,
    )
  return selected
}

/** verifyCommittedTable on the table the event itself carries. */
export function verifyTableCommittedEvent(
  committed: SettlementEventOf<'TableCommitted'>,
  ownerCount: number,
): Uint8Array {
  return verifyCommittedTable(hexToBytes(committed.table), committed, ownerCount)
}
