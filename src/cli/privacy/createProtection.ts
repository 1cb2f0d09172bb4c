import { createCkksEvaluator, createCkksRequestor } from '../../adapters/he-seal/index.ts'
import {
  createPaillierPublic,
  createPaillierSecret,
  generatePaillierKeyPair,
  loadModularBackend,
  openPaillierPublicKey,
} from '../../adapters/paillier/index.ts'
import { createNodeSecaggCrypto } from '../../adapters/secagg-crypto/index.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { encodePaillierPublicKey } from '../../core/paillier/publicKeyFormat.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import { KEY_HOLDER_ID } from '../../core/privacy/keyHolderMessages.ts'
import type { HidingPart } from '../../core/privacy/parsePrivacySpec.ts'
import { createCkksProtection } from '../../runtime/privacy/createCkksProtection.ts'
import { createPaillierProtection } from '../../runtime/privacy/createPaillierProtection.ts'
import { createSecaggProtection } from '../../runtime/privacy/createSecaggProtection.ts'
import {
  type KeyHolderLimits,
  openCkksKeyHolder,
  openPaillierKeyHolder,
} from '../../runtime/privacy/openKeyHolder.ts'
import type {
  OpenedProtection,
  ProtectionContext,
  UpdateProtection,
} from '../../runtime/privacy/updateProtection.ts'

/**
 * The update protections of `--privacy`, with their real keys. For ckks and paillier the
 * key holder (the model requestor) generates the keys and is a participant of its own,
 * reached over the transport; owners and the service provider get public material only,
 * so the server stage holds no secret key.
 */
export async function createProtection(
  part: HidingPart,
  context: ProtectionContext,
): Promise<OpenedProtection> {
  if (part.name === 'secagg')
    return { protection: openSecaggProtection(part, context), participants: [] }
  const limits: KeyHolderLimits = {
    id: KEY_HOLDER_ID,
    minContributors: context.minContributors,
    rounds: context.rounds,
  }
  if (part.name === 'paillier') return createPaillier(part, context, limits)
  const { preset } = part.options
  const keyHolder = await createCkksRequestor(preset, { rotations: [] })
  const owner = await createCkksEvaluator(keyHolder.publicMaterial)
  const provider = await createCkksEvaluator(keyHolder.publicMaterial)
  return {
    protection: createCkksProtection({
      preset,
      keyHolder: limits.id,
      owner,
      provider,
      dispose: () => {
        provider.dispose()
        owner.dispose()
      },
    }),
    participants: [openCkksKeyHolder(keyHolder, limits)],
  }
}

/**
 * Paillier roles: the key holder generates the key pair (node:crypto primes), owners and
 * the service provider open the public key from its bytes, as they would off the wire.
 */
async function createPaillier(
  part: HidingPart & { readonly name: 'paillier' },
  context: ProtectionContext,
  limits: KeyHolderLimits,
): Promise<OpenedProtection> {
  const { bits, precision, range } = part.options
  const packing = { valueBits: precision, maxClients: context.clients.length, range }
  const backend = await loadModularBackend()
  const keys = await generatePaillierKeyPair({ bits })
  const publicBytes = encodePaillierPublicKey(keys.publicKey.n)
  const open = () => createPaillierPublic(openPaillierPublicKey(publicBytes), packing, backend)
  return {
    protection: createPaillierProtection({
      spec: `paillier:bits=${bits},precision=${packing.valueBits},range=${packing.range}`,
      keyHolder: limits.id,
      owner: open(),
      provider: open(),
      referenceExamples: context.referenceExamples,
      dispose: () => {},
    }),
    participants: [
      openPaillierKeyHolder(
        { public: open(), secret: createPaillierSecret(keys, backend) },
        limits,
      ),
    ],
  }
}

/**
 * Secure aggregation with the node:crypto primitives (X25519, AES-CTR, AES-GCM, HKDF). A
 * deployed owner passes the crypto that signs with its kit key (its advertisements and
 * consistency signatures bind to its certificate); one process's simulation needs none.
 */
export function openSecaggProtection(
  part: HidingPart & { readonly name: 'secagg' },
  context: ProtectionContext,
  crypto: SecaggCrypto = createNodeSecaggCrypto(),
): UpdateProtection {
  const { t, degree, clip, timeout } = part.options
  if (t > context.clients.length)
    throw new MsflError(
      'CONFIG_INVALID',
      `privacy: secagg t=${t} exceeds the ${context.clients.length} clients`,
    )
  return createSecaggProtection({
    runId: context.runId,
    crypto,
    // t is a floor: against an active server a round needs more than half of its
    // contributors' shares (secaggParameters.ts), so a fixed t rises with a larger round.
    threshold: (contributors) => Math.max(t, Math.floor(contributors / 2) + 1),
    clip,
    degree: degree > 0 ? degree : null,
    referenceExamples: context.referenceExamples,
    stageTimeoutMs: timeout,
    dropsOut: context.dropsOut,
    spec: `secagg:t=${t > 0 ? t : 'majority'},clip=${clip},degree=${degree > 0 ? degree : 'all'}`,
  })
}
