import { X509Certificate } from 'node:crypto'
import { createKitPeerCheck, type StartupKit } from '../../adapters/pki/index.ts'
import { signP256 } from '../../adapters/secagg-crypto/index.ts'
import {
  type LedgerAddress,
  ledgerAddressStatement,
} from '../../core/deploy/msflDeploymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { LedgerRole } from '../../runtime/deploy/msflLedgerParty.ts'

/** A party's own address claim and its check of the others'. */
export interface LedgerAddressClaims {
  /** `address` claimed for this run, signed with the kit's certificate key. */
  claim(): LedgerAddress
  /** Checks another party's claim against the kit's CA and CRL, `role` and its name; throws. */
  checkClaim(role: LedgerRole, claim: LedgerAddress): void
}

/**
 * Address claims bound to certificates: the party signs (run, name, address) with its kit
 * key, and accepts another's claim only with a certificate of this federation's CA, not
 * revoked, naming `role` and the claimed name, whose key signed exactly that statement. The
 * provider that relays the claims cannot make one for another party's name.
 */
export function createLedgerAddressClaims(
  kit: StartupKit,
  runId: string,
  address: string,
): LedgerAddressClaims {
  const credential = new Uint8Array(new X509Certificate(kit.tls.cert).raw)
  const checks = new Map<LedgerRole, ReturnType<typeof createKitPeerCheck>>()
  const checkOf = (role: LedgerRole) => {
    let check = checks.get(role)
    if (!check) {
      check = createKitPeerCheck(kit, role)
      checks.set(role, check)
    }
    return check
  }
  return {
    claim: () => ({
      type: 'ledger-address',
      runId,
      clientId: kit.name,
      address,
      credential,
      signature: signP256(kit.signingKey, ledgerAddressStatement(runId, kit.name, address)),
    }),
    checkClaim(role, claim) {
      if (claim.runId !== runId)
        throw new MsflError(
          'PROTOCOL',
          `ledger address of ${claim.clientId}: for run ${claim.runId}, not ${runId}`,
        )
      const verifier = checkOf(role).verifierOf(claim.clientId, claim.credential)
      const statement = ledgerAddressStatement(runId, claim.clientId, claim.address)
      if (!verifier.verify(statement, claim.signature))
        throw new MsflError(
          'PROTOCOL',
          `ledger address of ${claim.clientId}: the signature does not match (the address was not claimed by ${claim.clientId})`,
        )
    },
  }
}
