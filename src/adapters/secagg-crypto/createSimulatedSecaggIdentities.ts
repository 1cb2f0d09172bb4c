import { createPublicKey, generateKeyPairSync, type KeyObject, timingSafeEqual } from 'node:crypto'
import { MsflError } from '../../core/errors/msflError.ts'
import type { SecaggIdentity, SecaggVerifier } from '../../core/ports/secaggIdentity.ts'
import { p256Verifier, signP256 } from './ecdsaP256.ts'

/** The owners of one simulated federation and their SecAgg signing keys. */
export interface SimulatedSecaggIdentities {
  /** Owner `clientId`'s identity; its key pair is drawn from the CSPRNG on first use. */
  identityOf(clientId: string): SecaggIdentity
}

/**
 * Simulation's stand-in for the federation's PKI: each owner gets its own ECDSA P-256
 * key pair from the CSPRNG, its credential is its public key (SPKI, DER), and the
 * directory of registered keys plays the certificate authority — a credential is
 * accepted for an owner only if it is the key registered under that owner's name, so a
 * server that swaps keys or credentials is caught as in a deployment. Register every
 * owner (identityOf) before a round starts.
 */
export function createSimulatedSecaggIdentities(): SimulatedSecaggIdentities {
  const registered = new Map<string, { credential: Uint8Array; verifier: SecaggVerifier }>()
  const identities = new Map<string, SecaggIdentity>()

  const verifierOf = (clientId: string, credential: Uint8Array): SecaggVerifier => {
    const entry = registered.get(clientId)
    if (!entry) throw new MsflError('PROTOCOL', `no owner ${JSON.stringify(clientId)} is known`)
    const same =
      entry.credential.length === credential.length && timingSafeEqual(entry.credential, credential)
    if (!same)
      throw new MsflError(
        'PROTOCOL',
        `credential is not the key of owner ${JSON.stringify(clientId)}`,
      )
    return entry.verifier
  }

  return {
    identityOf(clientId) {
      const known = identities.get(clientId)
      if (known) return known
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      const credential = spki(publicKey)
      registered.set(clientId, { credential, verifier: p256Verifier(createPublicKey(privateKey)) })
      const identity: SecaggIdentity = {
        credential,
        sign: (message) => signP256(privateKey, message),
        verifierOf,
      }
      identities.set(clientId, identity)
      return identity
    },
  }
}

const spki = (key: KeyObject) => new Uint8Array(key.export({ type: 'spki', format: 'der' }))
