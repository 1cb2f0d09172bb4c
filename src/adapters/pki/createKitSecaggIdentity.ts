import { X509Certificate as NodeX509Certificate } from 'node:crypto'
import type { SecaggIdentity } from '../../core/ports/secaggIdentity.ts'
import { signP256 } from '../secagg-crypto/index.ts'
import { createKitPeerCheck } from './createKitPeerCheck.ts'
import type { StartupKit } from './openStartupKit.ts'

/**
 * A deployed data owner's SecAgg identity from its verified startup kit: it signs with
 * the kit's certificate key, presents its certificate (DER) as its credential, and
 * accepts a peer's credential only if it is a certificate issued by the kit's CA, valid
 * now, not on the kit's CRL, with role `data-owner`, this federation and CN = the peer's
 * node id (createKitPeerCheck). The service provider relays these certificates but cannot
 * make one.
 *
 * @param kit - the owner's kit, opened by {@link openStartupKit}.
 * @param now - the clock validity is checked against (default: the system clock).
 */
export function createKitSecaggIdentity(
  kit: StartupKit,
  now: () => Date = () => new Date(),
): SecaggIdentity {
  const own = new NodeX509Certificate(kit.tls.cert)
  const peers = createKitPeerCheck(kit, 'data-owner', now)
  return {
    credential: new Uint8Array(own.raw),
    sign: (message) => signP256(kit.signingKey, message),
    verifierOf: (clientId, credential) => peers.verifierOf(clientId, credential),
  }
}
