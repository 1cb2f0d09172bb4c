import { X509Certificate as NodeX509Certificate } from 'node:crypto'
import { MsflError } from '../../core/errors/msflError.ts'
import type { SecaggVerifier } from '../../core/ports/secaggIdentity.ts'
import { p256Verifier } from '../secagg-crypto/index.ts'
import { listRevokedSerials } from './listRevokedSerials.ts'
import type { StartupKit } from './openStartupKit.ts'
import type { ParticipantRole } from './participantRole.ts'
import { readCertificateIdentity } from './readPeerIdentity.ts'

/**
 * How a participant checks another's certificate that reached it through the service
 * provider (which relays it but cannot make one): `verifierOf(name, credential)` accepts a
 * DER certificate only if the kit's CA issued it, it is valid now, not on the kit's CRL,
 * and names `role`, this federation and CN = `name`; it returns the certificate key's
 * signature check, or throws MsflError('PROTOCOL') naming the problem.
 */
export function createKitPeerCheck(
  kit: StartupKit,
  role: ParticipantRole,
  now: () => Date = () => new Date(),
): { verifierOf(name: string, credential: Uint8Array): SecaggVerifier } {
  const ca = new NodeX509Certificate(kit.tls.ca)
  const revoked = listRevokedSerials(kit.tls.crl)
  const accepted = new Map<string, SecaggVerifier>()
  return {
    verifierOf(name, credential) {
      const refuse = (problem: string): never => {
        throw new MsflError('PROTOCOL', `certificate of ${JSON.stringify(name)}: ${problem}`)
      }
      const key = `${name}\u0000${Buffer.from(credential).toString('base64')}`
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
      if (identity.role !== role) refuse(`role is ${identity.role}, not ${role}`)
      if (identity.federation !== kit.federation)
        refuse(`federation is ${identity.federation}, not ${kit.federation}`)
      if (identity.name !== name) refuse(`names ${JSON.stringify(identity.name)}`)
      const verifier = p256Verifier(certificate.publicKey)
      accepted.set(key, verifier)
      return verifier
    },
  }
}
