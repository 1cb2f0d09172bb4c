import {
  type LedgerAddress,
  ledgerAddressSchema,
} from '../../core/deploy/msflDeploymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { ProtocolMessage, Transport } from '../../core/ports/transport.ts'
import { expectReply } from '../msfl/expectReply.ts'
import { collectReplies } from '../rounds/collectReplies.ts'
import type { MsflLedgerParty } from './msflLedgerParty.ts'

/**
 * Every party's signed ledger address (the requestor's and each owner's), each checked
 * against the certificate it names: the provider that relays them cannot swap one. A party
 * that does not answer by the deadline, or answers for another name, fails the run.
 */
export async function collectLedgerClaims(p: {
  readonly runId: string
  readonly owners: readonly string[]
  readonly requestor: string
  readonly transport: Transport
  readonly ledger: Pick<MsflLedgerParty, 'checkClaim'>
  readonly deadlineMs: number
}): Promise<Map<string, LedgerAddress>> {
  const request: ProtocolMessage = { type: 'ledger-address-request', runId: p.runId }
  const asked = [...p.owners, p.requestor]
  const outcomes = await collectReplies(p.transport, new Map(asked.map((id) => [id, request])), {
    deadlineMs: p.deadlineMs,
  })
  const claims = new Map<string, LedgerAddress>()
  for (const outcome of outcomes) {
    const id = outcome.clientId
    if (!('reply' in outcome))
      throw new MsflError('PROTOCOL', `${id} did not send its ledger address`)
    const claim = expectReply(ledgerAddressSchema, outcome.reply, `${id}'s ledger address`)
    if (claim.clientId !== id)
      throw new MsflError('PROTOCOL', `${id} sent the ledger address of ${claim.clientId}`)
    p.ledger.checkClaim(id === p.requestor ? 'requestor' : 'data-owner', claim)
    claims.set(id, claim)
  }
  return claims
}
