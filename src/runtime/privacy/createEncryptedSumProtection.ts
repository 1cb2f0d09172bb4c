import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { Transport } from '../../core/ports/transport.ts'
import { keyHolderReplySchema } from '../../core/privacy/keyHolderMessages.ts'
import { collectProtectedReplies, contributorsOf, protectFitReplies } from './protectedReplies.ts'
import type { UpdateProtection } from './updateProtection.ts'

/**
 * An additively homomorphic scheme as the owners and the service provider use it:
 * public material only. The secret key lives with the key holder, a participant the
 * server reaches over the transport (core/privacy/createKeyHolder.ts).
 */
export interface PublicSumScheme {
  /** Canonical spec, e.g. `ckks:preset=ckks-8192`. */
  readonly spec: string
  /** The key holder's node id. */
  readonly keyHolder: string
  /** Owner side: the ciphertext(s) of one example-weighted update nᵢ·Δᵢ. */
  encrypt(weightedDelta: Float64Array): Uint8Array[]
  /** Ciphertexts every valid reply carries, when the scheme fixes it (packed Paillier: 1). */
  readonly payloadCount?: number
  /**
   * Service provider side: adds the owners' ciphertexts (untrusted bytes, validated by
   * the scheme's loader); an owner whose bytes do not load is reported, not summed.
   */
  sum(
    payloads: ReadonlyMap<string, readonly Uint8Array[]>,
    length: number,
  ): {
    readonly sum: readonly Uint8Array[]
    readonly summed: readonly string[]
    readonly rejected: readonly { readonly owner: string; readonly reason: string }[]
  }
  /** What the decrypted values are multiplied by to give Σ nᵢ·Δᵢ (undoes the owners' scaling). */
  readonly unscale: number
  /** Frees the public-key material of owners and provider. */
  dispose(): void
}

/**
 * The shape `--privacy ckks` and `--privacy paillier` share: each owner's update leaves
 * it encrypted under the key holder's public key, the service provider sums the
 * ciphertexts, and the server's only path to a plaintext is one `key-holder-decrypt`
 * request per round, which the key holder refuses for a sum of fewer than two owners.
 * The server stage holds no decryptor and no secret key
 * (test/privacy/keyHolder.test.ts walks what it can reach).
 */
export function createEncryptedSumProtection(scheme: PublicSumScheme): UpdateProtection {
  return {
    spec: scheme.spec,
    wrapClient: (_clientId, inner) =>
      protectFitReplies(inner, (weighted) => scheme.encrypt(weighted)),
    async aggregate({ round, params, replies, deadlineMs }, transport) {
      const { rejected, payloads, reported, bytes } = collectProtectedReplies(
        replies,
        round,
        scheme.payloadCount,
      )
      const { sum, summed, rejected: unreadable } = scheme.sum(payloads, params.length)
      for (const r of unreadable) rejected.push({ clientId: r.owner, reason: r.reason })
      if (summed.length === 0)
        throw new MsflError('PROTOCOL', `round ${round}: no protected update was summed`)
      const values = await requestDecryption(transport, scheme.keyHolder, deadlineMs, {
        round,
        length: params.length,
        contributors: summed.length,
        sum,
      })
      return {
        weightedSum: values.map((v) => v * scheme.unscale),
        examples: summed.reduce((s, id) => s + reported.get(id)!.numExamples, 0),
        contributors: contributorsOf(summed, reported),
        rejected,
        dropped: [],
        bytesPerClient: payloads.size > 0 ? bytes / payloads.size : 0,
      }
    },
    dispose: async () => scheme.dispose(),
  }
}

/** Asks the key holder for the round's sum; a refusal or a malformed reply fails the round. */
async function requestDecryption(
  transport: Transport,
  keyHolder: string,
  deadlineMs: number,
  request: {
    readonly round: number
    readonly length: number
    readonly contributors: number
    readonly sum: readonly Uint8Array[]
  },
): Promise<Float64Array> {
  const { round, length } = request
  const reply = await transport.request(
    keyHolder,
    { type: 'key-holder-decrypt', ...request, sum: [...request.sum] },
    { deadlineMs },
  )
  const parsed = keyHolderReplySchema.safeParse(reply)
  if (!parsed.success)
    throw new MsflError(
      'PROTOCOL',
      `round ${round}: key holder reply: ${describeZodError(parsed.error)}`,
    )
  if (parsed.data.type === 'error')
    throw new MsflError(
      'PROTOCOL',
      `round ${round}: the key holder refused: ${parsed.data.message}`,
    )
  if (parsed.data.round !== round || parsed.data.values.length !== length)
    throw new MsflError(
      'PROTOCOL',
      `round ${round}: the key holder answered round ${parsed.data.round} with ${parsed.data.values.length} values, expected ${length}`,
    )
  return parsed.data.values
}
