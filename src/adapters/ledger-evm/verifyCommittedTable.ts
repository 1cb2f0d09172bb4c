import { hexToBytes } from 'viem'
import { MsflError } from '../../core/errors/msflError.ts'
import { countSelections } from './contributionBitmap.ts'
import { decodeContributionTable, hashContributionTable } from './contributionTable.ts'
import type { SettlementEventOf } from './settlementEvents.ts'

/**
 * What a data owner (or the service provider) runs before accepting a round: checks the
 * encoded table it received against the round's TableCommitted event. A table altered in
 * transit, or sent with another format or k, fails the hash; a table the contract could
 * not check (a combinatorial rank at or above C(t, k)) fails decoding; a requestor that
 * committed counts other than its own table's (to underpay someone) fails the count
 * check. Pure: no chain access, no clock. Throws MsflError('PROTOCOL'); returns the
 * decoded selection, selected[j × owners + i].
 */
export function verifyCommittedTable(
  received: Uint8Array,
  committed: Pick<
    SettlementEventOf<'TableCommitted'>,
    'components' | 'format' | 'k' | 'contributions' | 'tableHash' | 'counts'
  >,
  ownerCount: number,
): Uint8Array {
  if (committed.counts.length !== ownerCount)
    throw new MsflError(
      'PROTOCOL',
      `contribution table: the committed counts name ${committed.counts.length} owners, the round has ${ownerCount}`,
    )
  const hash = hashContributionTable(committed.format, committed.k, received)
  if (hash.toLowerCase() !== committed.tableHash.toLowerCase())
    throw new MsflError(
      'PROTOCOL',
      'contribution table: the table does not hash to the committed tableHash (altered, or from another round)',
    )
  const selected = decodeContributionTable(
    received,
    ownerCount,
    committed.components,
    committed.format,
    committed.k,
  )
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
