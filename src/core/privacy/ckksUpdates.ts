import { MsflError } from '../errors/msflError.ts'
import type { HeDecryptor, HeEvaluator } from '../ports/he.ts'

/**
 * CKKS-encrypted model updates (plaintext-model mode, SPEC C5): every data owner
 * encrypts its example-weighted update n_i·Δ_i with the key holder's public key, the
 * service provider adds the ciphertexts without being able to read them, and only the
 * key holder decrypts Σ n_i·Δ_i (it divides by Σ n_i, sent in the clear). Long vectors
 * are cut into chunks of `slots` values, one ciphertext each, sent modulus-switched to
 * the last level (additions need no level).
 *
 * What it protects: the SP sees ciphertexts only; the key holder sees the sum of the
 * round's updates, never an individual one (unless only one owner took part, which the
 * caller must refuse). CKKS is approximate: the decrypted sum carries an error of about
 * 2^-30 relative to the values at the 40-bit scale of ckks-8192 (measured in tests).
 */
export function encryptUpdate(he: HeEvaluator, update: Float64Array, weight: number): Uint8Array[] {
  if (!(weight > 0 && Number.isFinite(weight)))
    throw new MsflError('PROTOCOL', `ckks update: weight must be a positive number, got ${weight}`)
  const slots = he.parameters.slots
  const out: Uint8Array[] = []
  for (let start = 0; start < update.length; start += slots) {
    const chunk = update.subarray(start, Math.min(start + slots, update.length))
    const scaled = new Float64Array(chunk.length)
    for (let i = 0; i < chunk.length; i++) {
      const v = chunk[i]! * weight
      if (!Number.isFinite(v))
        throw new MsflError('PROTOCOL', `ckks update: value ${start + i} is not finite`)
      scaled[i] = v
    }
    out.push(he.scope(() => he.save(he.encrypt(scaled), { compact: true })))
  }
  return out
}

/** Ciphertexts an update of `length` values takes. */
export function updateCiphertexts(he: HeEvaluator, length: number): number {
  return Math.ceil(length / he.parameters.slots)
}

/**
 * The SP's stage: loads every owner's ciphertexts through the validating loader (bytes
 * from other parties) and adds them chunk by chunk. An owner whose bytes do not load is
 * reported, not summed, so one bad owner cannot spoil the round.
 */
export function sumEncryptedUpdates(
  he: HeEvaluator,
  updates: ReadonlyMap<string, readonly Uint8Array[]>,
  length: number,
): { sum: Uint8Array[]; summed: string[]; rejected: { owner: string; reason: string }[] } {
  const count = updateCiphertexts(he, length)
  const rejected: { owner: string; reason: string }[] = []
  const summed: string[] = []
  const sum = he.scope(() => {
    const totals: (ReturnType<HeEvaluator['load']> | undefined)[] = Array(count).fill(undefined)
    for (const [owner, cts] of updates) {
      if (cts.length !== count) {
        rejected.push({ owner, reason: `${cts.length} ciphertexts, expected ${count}` })
        continue
      }
      let loaded: ReturnType<HeEvaluator['load']>[]
      try {
        loaded = cts.map((bytes) => he.load(bytes))
      } catch (error) {
        if (!(error instanceof MsflError)) throw error
        rejected.push({ owner, reason: `invalid ciphertext: ${error.message}` })
        continue
      }
      loaded.forEach((ct, c) => {
        const current = totals[c]
        totals[c] = current === undefined ? ct : he.add(current, ct)
      })
      summed.push(owner)
    }
    if (summed.length === 0) return []
    return totals.map((ct) => he.save(ct!, { compact: true }))
  })
  return { sum, summed, rejected }
}

/** The key holder's stage: Σ n_i·Δ_i back in the clear, `length` values. */
export function decryptUpdateSum(
  he: HeEvaluator,
  decryptor: HeDecryptor,
  sum: readonly Uint8Array[],
  length: number,
): Float64Array {
  if (sum.length !== updateCiphertexts(he, length))
    throw new MsflError(
      'PROTOCOL',
      `ckks update: the sum has ${sum.length} ciphertexts, expected ${updateCiphertexts(he, length)}`,
    )
  const slots = he.parameters.slots
  const out = new Float64Array(length)
  he.scope(() => {
    sum.forEach((bytes, c) => {
      const values = decryptor.decrypt(he.load(bytes))
      const start = c * slots
      out.set(values.subarray(0, Math.min(slots, length - start)), start)
    })
  })
  return out
}
