/**
 * A data owner's long-term identity as secure aggregation against an active server needs
 * it (Bonawitz et al., CCS 2017, §6): it signs its advertised keys and the survivor set,
 * and checks its peers' signatures. The server only relays credentials and signatures;
 * it cannot forge them, so it can neither swap an owner's keys nor show owners different
 * survivor sets undetected. In a deployment the credential is the owner's certificate
 * (its kit key signs); in simulation each owner has a P-256 key pair from the CSPRNG and
 * a directory plays the certificate authority (src/adapters/secagg-crypto).
 */

/** The key that checks one peer's signatures, once its credential was accepted. */
export interface SecaggVerifier {
  /** Whether `signature` is the peer's signature over `message`. */
  verify(message: Uint8Array, signature: Uint8Array): boolean
}

/** One owner's signing key, and its means of checking its peers' credentials. */
export interface SecaggIdentity {
  /** What peers need to check this owner's signatures (its certificate, DER; or its public key). */
  readonly credential: Uint8Array
  /** This owner's signature over `message` with its long-term key. */
  sign(message: Uint8Array): Uint8Array
  /**
   * The verifier of the owner `clientId` presenting `credential`. Throws
   * MsflError('PROTOCOL') naming the problem when the credential does not prove that
   * identity (not issued by the federation, another name or role, revoked, unknown).
   */
  verifierOf(clientId: string, credential: Uint8Array): SecaggVerifier
}
