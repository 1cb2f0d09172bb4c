import { X509Certificate as NodeX509Certificate } from 'node:crypto'
import { MsflError } from '../../core/errors/msflError.ts'
import type { SecaggIdentity, SecaggVerifier } from '../../core/ports/secaggIdentity.ts'
import { p256Verifier, signP256 } from '../secagg-crypto/index.ts'
import { listRevokedSerials } from './listRevokedSerials.ts'
import type { StartupKit } from './openStartupKit.ts'
import { readCertificateIdentity } from './readPeerIdentity.ts'

/**
 * A deployed data owner's SecAgg identity from its verified startup kit: it signs with
 * the kit's certificate key, presents its certificate (DER) as its credential, and
 * accepts a peer's credential only if it is a certificate issued by the kit's CA, valid
 * now, not on the kit's CRL, with role `data-owner`, this federation and CN = the peer's
 * node id. The service provider relays these certificates but cannot make one.
 *
 * @param kit - the owner's kit, opened by {@link openStartupKit}.
 * @param now - the clock validity is checked against (default: the system clock).
 */
export function createKitSecaggIdentity(
  kit: StartupKit,
  now: () => Date = () => new Date(),
): SecaggIdentity {
  const ca = new NodeX509Certificate(kit.tls.ca)
  const own = new NodeX509Certificate(kit.tls.cert)
  const revoked = listRevokedSerials(kit.tls.crl)
  const accepted = new Map<string, SecaggVerifier>()
  return {
    credential: new Uint8Array(own.raw),
    sign: (message) => signP256(kit.signingKey, message),
    verifierOf(clientId, credential) {
      const refuse = (problem: string): never => {
        throw new MsflError('PROTOCOL', `certificate of ${JSON.stringify(clientId)}: ${problem}`)
      }
      const key = `${clientId}\u0000${Buffer.from(credential).toString('base64')}`
      const known = accepted.get(key)
      if (known) return known
      let certificate: NodeX509Certificate
      try {
        certificate = new NodeX509Certificate(credential)
      } catch {
        return refuse('not an X.509 certificate')
      }
      if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey))
        refuse('not issued by the federation CA')
      const at = now()
      if (at < new Date(certificate.validFrom) || at > new Date(certificate.validTo))
        refuse('outside its validity period')
      if (revoked.has(certificate.serialNumber.toUpperCase().replace(/^0+(?=.)/, '')))
        refuse('revoked')
      let identity: ReturnType<typeof readCertificateIdentity>
      try {
        identity = readCertificateIdentity(certificate, 'certificate')
      } catch (error) {
        return refuse((error as Error).message)
      }
      if (identity.role !== 'data-owner') refuse(`role is ${identity.role}, not data-owner`)
      if (identity.federation !== kit.federation)
        refuse(`federation is ${identity.federation}, not ${kit.federation}`)
      if (identity.name !== clientId) refuse(`names ${JSON.stringify(identity.name)}`)
      const verifier = p256Verifier(certificate.publicKey)
      accepted.set(key, verifier)
      return verifier
    },
  }
}
