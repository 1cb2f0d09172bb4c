import { MsflError } from '../errors/msflError.ts'
import type { PaillierCiphertext, PaillierPublic } from '../ports/paillier.ts'

/**
 * The service provider's stage: loads every owner's bytes through the validating loader
 * (bytes from other parties) and adds them. An owner whose bytes do not load is reported,
 * not summed, so one bad owner cannot spoil the round; a round with more owners than
 * the packing's maxClients is refused before any addition, since its slots could carry.
 */
export function sumPaillierUpdates(
  paillier: PaillierPublic,
  updates: ReadonlyMap<string, Uint8Array>,
  length: number,
): {
  sum: Uint8Array | undefined
  summed: string[]
  rejected: { owner: string; reason: string }[]
} {
  if (updates.size > paillier.layout.maxClients)
    throw new MsflError(
      'PROTOCOL',
      `paillier sum: ${updates.size} updates exceed maxClients ${paillier.layout.maxClients} of the packing`,
    )
  const rejected: { owner: string; reason: string }[] = []
  const summed: string[] = []
  let total: PaillierCiphertext | undefined
  for (const [owner, bytes] of updates) {
    let ct: PaillierCiphertext
    try {
      ct = paillier.load(bytes, length)
      const { count } = paillier.describe(ct)
      // One owner sending a pre-summed ciphertext would take several slots of headroom.
      if (count !== 1) throw new MsflError('PROTOCOL', `carries ${count} updates, not 1`)
    } catch (error) {
      if (!(error instanceof MsflError)) throw error
      rejected.push({ owner, reason: `invalid ciphertext: ${error.message}` })
      continue
    }
    total = total === undefined ? ct : paillier.add(total, ct)
    summed.push(owner)
  }
  return { sum: total === undefined ? undefined : paillier.save(total), summed, rejected }
}
