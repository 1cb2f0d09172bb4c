import { describeZodError } from '../errors/describeZodError.ts'
import { MsflError } from '../errors/msflError.ts'
import type { MessageHandler } from '../ports/transport.ts'
import { type DecryptedSum, decryptSumRequestSchema } from './keyHolderMessages.ts'

/** The fewest updates a released sum may hold: a "sum" of one is that owner's update. */
export const MIN_SUMMED_UPDATES = 2

/** What the key holder's scheme gives back for one summed ciphertext set. */
export interface OpenedSum {
  readonly values: Float64Array
  /**
   * How many updates the plaintext itself says it sums, when the scheme carries such a
   * counter (packed Paillier does; CKKS does not, and the server's claim is all there is).
   */
  readonly count?: number
}

/** The key holder's secret capability and the job's limits. */
export interface KeyHolderParameters {
  /**
   * Decrypts a sum of `length` values from bytes the server sent (untrusted: the
   * scheme's loader validates them). Throws MsflError when they do not decrypt.
   */
  readonly decrypt: (sum: readonly Uint8Array[], length: number) => OpenedSum
  /** The fewest updates a sum must hold to be released (at least 2). */
  readonly minContributors: number
  /** The job's rounds: no later round is decrypted. */
  readonly rounds: number
}

/**
 * The key holder as a participant: the only party with the secret key, reached over the
 * transport under its own id. It answers `key-holder-decrypt` with the round's sum and
 * refuses, before anything is decrypted, a sum the server says holds fewer than
 * `minContributors` updates, a round beyond the job or not after the last one it
 * decrypted (one decryption per round: a server asking twice could subtract two sums
 * and isolate an owner); after decryption it refuses a plaintext whose own counter
 * (Paillier) disagrees with the server's claim or is below the minimum. Refusals are
 * `{ type: 'error' }` replies naming the reason; nothing of the plaintext leaves.
 *
 * What it cannot check: that the summed ciphertexts came from distinct real owners.
 * A server that encrypts dummy updates under the public key and adds them to one
 * owner's ciphertext passes every check; this is the non-collusion assumption of
 * docs/protections.md.
 */
export function createKeyHolder(p: KeyHolderParameters): MessageHandler {
  if (!(Number.isInteger(p.minContributors) && p.minContributors >= MIN_SUMMED_UPDATES))
    throw new MsflError(
      'CONFIG_INVALID',
      `key holder: minContributors must be an integer ≥ ${MIN_SUMMED_UPDATES}, got ${p.minContributors}`,
    )
  let lastRound = 0
  const refuse = (message: string) => ({ type: 'error', message }) as const
  return {
    async handle(message: unknown) {
      const parsed = decryptSumRequestSchema.safeParse(message)
      if (!parsed.success)
        return refuse(`malformed request: ${describeZodError(parsed.error, 'key-holder-decrypt')}`)
      const { round, length, contributors, sum } = parsed.data
      if (contributors < p.minContributors)
        return refuse(
          `round ${round}: ${contributors} encrypted update(s) summed; decrypting fewer than ${p.minContributors} would reveal an owner's update`,
        )
      if (round > p.rounds) return refuse(`round ${round}: the job has ${p.rounds} rounds`)
      if (round <= lastRound)
        return refuse(
          `round ${round}: already decrypted round ${lastRound}; one sum per round, in order`,
        )
      let opened: OpenedSum
      try {
        opened = p.decrypt(sum, length)
      } catch (error) {
        if (!(error instanceof MsflError)) throw error
        return refuse(`round ${round}: the sum does not decrypt: ${error.message}`)
      }
      // The round is spent once the secret key has touched its sum, released or not.
      lastRound = round
      if (opened.count !== undefined && opened.count !== contributors)
        return refuse(
          `round ${round}: the decrypted sum counts ${opened.count} updates, the server claims ${contributors}`,
        )
      if (opened.values.length !== length)
        return refuse(
          `round ${round}: decrypted ${opened.values.length} values, expected ${length}`,
        )
      const reply: DecryptedSum = { type: 'key-holder-sum', round, values: opened.values }
      return reply
    },
  }
}
