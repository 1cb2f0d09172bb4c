import { MsflError } from '../errors/msflError.ts'
import type { PackingLayout } from './packingLayout.ts'
import { packedPlaintexts } from './packValues.ts'
import { bigintToWords, readSlot } from './slotWords.ts'

/**
 * Decodes decrypted plaintexts holding the sum of `count` packed updates into the sum
 * of the values: Σx = (S − count·(2^b − 1)/2)·Δ per slot.
 *
 * Every plaintext is checked first, because a ciphertext that was altered or made under
 * another key decrypts to an essentially uniform value mod n: the guard bits above the
 * slots must be zero (misses with probability ≤ 2^-64), the counter slot must equal
 * `count`, no value slot may exceed count·(2^b − 1), and padding slots must be zero.
 * Paillier is malleable, so these checks cannot notice a well-formed change: someone with
 * the public key can add an encryption of small slot values (see docs/paillier.md).
 */
export function unpackSum(
  layout: PackingLayout,
  plaintexts: readonly bigint[],
  length: number,
  count: number,
): Float64Array {
  const expected = packedPlaintexts(layout, length)
  if (plaintexts.length !== expected)
    throw new MsflError(
      'PROTOCOL',
      `paillier decryption: ${plaintexts.length} plaintexts for ${length} values, expected ${expected}`,
    )
  const { slots, slotBits, usedBits } = layout
  const top = 2 ** layout.valueBits - 1
  const offset = (count * top) / 2
  const maxSlot = count * top
  const wordCount = Math.ceil(usedBits / 32)
  const out = new Float64Array(length)
  plaintexts.forEach((m, p) => {
    const fail = (problem: string): never => {
      throw new MsflError(
        'PROTOCOL',
        `paillier decryption: plaintext ${p} ${problem} (tampered ciphertext, another key, or a different packing)`,
      )
    }
    if (m < 0n || m >> BigInt(usedBits) !== 0n)
      fail(`has non-zero guard bits above bit ${usedBits}`)
    const words = bigintToWords(m, wordCount)
    const counter = readSlot(words, 0, slotBits)
    if (counter !== count) fail(`counts ${counter} summed updates, the header says ${count}`)
    const start = p * slots
    for (let s = 0; s < slots; s++) {
      const sum = readSlot(words, (1 + s) * slotBits, slotBits)
      if (start + s >= length) {
        if (sum !== 0) fail(`has a non-zero padding slot ${s}`)
        continue
      }
      if (sum > maxSlot) fail(`slot ${s} holds ${sum}, more than ${count} updates can sum to`)
      out[start + s] = (sum - offset) * layout.step
    }
  })
  return out
}
