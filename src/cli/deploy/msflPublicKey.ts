import { X509Certificate } from 'node:crypto'
import { createKitPeerCheck, type StartupKit } from '../../adapters/pki/index.ts'
import { signP256 } from '../../adapters/secagg-crypto/index.ts'
import {
  type MsflPublicKey,
  msflPublicKeyStatement,
} from '../../core/deploy/msflDeploymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'

/** The requestor's CKKS public material, signed with its kit key for this run. */
export function signMsflPublicKey(
  kit: StartupKit,
  runId: string,
  material: Uint8Array,
): MsflPublicKey {
  return {
    type: 'msfl-public-key',
    runId,
    clientId: kit.name,
    material,
    credential: new Uint8Array(new X509Certificate(kit.tls.cert).raw),
    signature: signP256(kit.signingKey, msflPublicKeyStatement(runId, kit.name, material)),
  }
}

/**
 * Checks that the public key the provider forwarded was signed, for this run, by a
 * requestor of this federation (a certificate from the kit's CA, role requestor, not
 * revoked, CN = its clientId): a provider that swapped in a key of its own could decrypt
 * every owner's gradient. Throws MsflError('PROTOCOL') naming the problem.
 */
export function verifyMsflPublicKey(
  kit: StartupKit,
  runId: string,
  publicKey: MsflPublicKey,
): void {
  if (publicKey.runId !== runId)
    throw new MsflError(
      'PROTOCOL',
      `requestor's public key: for run ${publicKey.runId}, not ${runId}`,
    )
  const verifier = createKitPeerCheck(kit, 'requestor').verifierOf(
    publicKey.clientId,
    publicKey.credential,
  )
  const statement = msflPublicKeyStatement(runId, publicKey.clientId, publicKey.material)
  if (!verifier.verify(statement, publicKey.signature))
    throw new MsflError(
      'PROTOCOL',
      "requestor's public key: the signature does not match (the material was not signed by the requestor)",
    )
}
