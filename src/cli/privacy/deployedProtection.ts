import { X509Certificate } from 'node:crypto'
import { createCkksEvaluator, createCkksRequestor } from '../../adapters/he-seal/index.ts'
import {
  createPaillierPublic,
  createPaillierSecret,
  generatePaillierKeyPair,
  loadModularBackend,
  openPaillierPublicKey,
} from '../../adapters/paillier/index.ts'
import { createKitPeerCheck, type StartupKit } from '../../adapters/pki/index.ts'
import { signP256 } from '../../adapters/secagg-crypto/index.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { encodePaillierPublicKey } from '../../core/paillier/publicKeyFormat.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import {
  KEY_HOLDER_ID,
  type KeyHolderPublic,
  keyHolderStatement,
} from '../../core/privacy/keyHolderMessages.ts'
import type { HidingPart } from '../../core/privacy/parsePrivacySpec.ts'
import { createCkksProtection } from '../../runtime/privacy/createCkksProtection.ts'
import { createPaillierProtection } from '../../runtime/privacy/createPaillierProtection.ts'
import { openCkksKeyHolder, openPaillierKeyHolder } from '../../runtime/privacy/openKeyHolder.ts'
import type {
  ProtectionContext,
  ProtectionParticipant,
  UpdateProtection,
} from '../../runtime/privacy/updateProtection.ts'
import { openSecaggProtection } from './createProtection.ts'

/** The key holder process's keys: its guarded participant and its signed public material. */
export interface KeyHolderKeys {
  readonly participant: ProtectionParticipant
  readonly publicKey: KeyHolderPublic
}

/**
 * The key holder of a deployed `privacy: ckks|paillier` job: it generates the key pair (the
 * secret key never leaves this process), signs its public material with its kit key over
 * keyHolderStatement, and answers decryption requests through createKeyHolder's guards.
 */
export async function openKeyHolderKeys(
  part: HidingPart,
  context: Pick<ProtectionContext, 'runId' | 'clients' | 'rounds' | 'minContributors'>,
  kit: StartupKit,
): Promise<KeyHolderKeys> {
  const limits = { id: kit.name, minContributors: context.minContributors, rounds: context.rounds }
  let participant: ProtectionParticipant
  let scheme: KeyHolderPublic['scheme']
  let material: Uint8Array
  if (part.name === 'ckks') {
    const keys = await createCkksRequestor(part.options.preset, { rotations: [] })
    participant = openCkksKeyHolder(keys, limits)
    scheme = 'ckks'
    material = keys.publicMaterial
  } else if (part.name === 'paillier') {
    const { bits } = part.options
    const backend = await loadModularBackend()
    const keys = await generatePaillierKeyPair({ bits })
    material = encodePaillierPublicKey(keys.publicKey.n)
    const publicKey = createPaillierPublic(
      openPaillierPublicKey(material),
      paillierPacking(part, context.clients.length),
      backend,
    )
    participant = openPaillierKeyHolder(
      { public: publicKey, secret: createPaillierSecret(keys, backend) },
      limits,
    )
    scheme = 'paillier'
  } else throw new MsflError('CONFIG_INVALID', `privacy: ${part.name} has no key holder`)
  const signature = signP256(kit.signingKey, keyHolderStatement(context.runId, scheme, material))
  const credential = new Uint8Array(new X509Certificate(kit.tls.cert).raw)
  return {
    participant,
    publicKey: {
      type: 'key-holder-public',
      runId: context.runId,
      scheme,
      material,
      credential,
      signature,
    },
  }
}

/**
 * Checks that the public key material the service provider forwarded was signed, for this
 * run, by the federation's key holder (a certificate from the kit's CA, role key-holder,
 * named `key-holder`, not revoked): a provider that swapped in a key of its own could
 * decrypt every owner's update. Throws MsflError('PROTOCOL') naming the problem.
 */
export function verifyKeyHolderPublic(
  kit: StartupKit,
  runId: string,
  publicKey: KeyHolderPublic,
  now?: () => Date,
): void {
  if (publicKey.runId !== runId)
    throw new MsflError(
      'PROTOCOL',
      `key holder's public key: for run ${publicKey.runId}, not ${runId}`,
    )
  const verifier = createKitPeerCheck(kit, 'key-holder', now).verifierOf(
    KEY_HOLDER_ID,
    publicKey.credential,
  )
  const statement = keyHolderStatement(runId, publicKey.scheme, publicKey.material)
  if (!verifier.verify(statement, publicKey.signature))
    throw new MsflError(
      'PROTOCOL',
      "key holder's public key: the signature does not match (the material was not signed by the key holder)",
    )
}

/**
 * The public side of a deployed job's protection, as an owner or the provider opens it:
 * secagg with `crypto` (an owner's kit-signing crypto), ckks and paillier under the key
 * holder's public material (checked with verifyKeyHolderPublic first by the caller).
 */
export async function openDeployedProtection(
  part: HidingPart,
  context: ProtectionContext,
  keyHolder: KeyHolderPublic | undefined,
  crypto?: SecaggCrypto,
): Promise<UpdateProtection> {
  if (part.name === 'secagg') return openSecaggProtection(part, context, crypto)
  if (!keyHolder || keyHolder.scheme !== part.name)
    throw new MsflError(
      'PROTOCOL',
      `privacy: ${part.name} needs the key holder's ${part.name} public key, got ${keyHolder?.scheme ?? 'none'}`,
    )
  if (part.name === 'ckks') {
    const evaluator = await createCkksEvaluator(keyHolder.material)
    return createCkksProtection({
      preset: part.options.preset,
      keyHolder: KEY_HOLDER_ID,
      owner: evaluator,
      provider: evaluator,
      dispose: () => evaluator.dispose(),
    })
  }
  const packing = paillierPacking(part, context.clients.length)
  const publicKey = createPaillierPublic(
    openPaillierPublicKey(keyHolder.material),
    packing,
    await loadModularBackend(),
  )
  return createPaillierProtection({
    spec: `paillier:bits=${part.options.bits},precision=${packing.valueBits},range=${packing.range}`,
    keyHolder: KEY_HOLDER_ID,
    owner: publicKey,
    provider: publicKey,
    referenceExamples: context.referenceExamples,
    dispose: () => {},
  })
}

function paillierPacking(part: HidingPart & { readonly name: 'paillier' }, clients: number) {
  const { precision, range } = part.options
  return { valueBits: precision, maxClients: clients, range }
}
