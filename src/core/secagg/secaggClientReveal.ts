import type { SecaggIdentity } from '../ports/secaggIdentity.ts'
import { fieldToBytes } from './primeField.ts'
import { fail, type MaskedState, type SignedState } from './secaggClientState.ts'
import type {
  ConsistencyMessage,
  ConsistencyRequest,
  UnmaskMessage,
  UnmaskRequest,
} from './secaggMessages.ts'
import { consistencyStatement } from './signedStatements.ts'

/**
 * The last two steps of a secure-aggregation client, where an active server would attack:
 * it could tell some holders "v survived" (collecting shares of v's self-mask seed) and
 * others "v dropped" (collecting shares of v's mask key), and with both strip every mask
 * from y_v. The consistency check of Bonawitz et al. (CCS 2017, §6) stops that: a client
 * signs exactly one survivor set U3, and reveals only after t of its neighbours signed
 * that same U3 — and then only what U3 says: self-mask shares of owners in U3, mask-key
 * shares of owners not in it, never both for one owner.
 */

/** consistency-check: checks the survivor set U3 and signs it (once: the state keeps it). */
export function signSurvivors(
  state: MaskedState,
  request: ConsistencyRequest,
  identity: SecaggIdentity,
): { state: SignedState; reply: ConsistencyMessage } {
  const { parameters: p, clientId } = state
  let previous = 0
  let neighbours = 0
  for (const id of request.survivors) {
    const index = state.members.get(id)
    if (index === undefined)
      fail(`server names ${JSON.stringify(id)} a survivor, but it is not in the signed roster`)
    // Strictly increasing indices: one canonical list, so equal sets give equal statements.
    if (index <= previous)
      fail(`survivor set is not in index order or repeats a client (at ${JSON.stringify(id)})`)
    previous = index
    if (state.held.has(id)) neighbours += 1
    else if (state.verifiers.has(id))
      fail(
        `server names ${JSON.stringify(id)} a survivor, but it never shared keys with this client`,
      )
  }
  if (!state.held.has(clientId) || !request.survivors.includes(clientId))
    fail('server does not count this client among the survivors')
  if (neighbours < p.threshold)
    fail(
      `only ${neighbours} survivors in this client's neighbourhood, fewer than the threshold ${p.threshold}`,
    )
  const survivors = [...request.survivors]
  const statement = consistencyStatement(p.session, state.rosterDigest, survivors)
  return {
    state: { ...state, phase: 'signed', survivors, statement },
    reply: {
      type: 'secagg-consistency',
      session: p.session,
      clientId,
      signature: identity.sign(statement),
    },
  }
}

/**
 * unmasking: reveals shares only if at least t of its neighbourhood (itself included)
 * signed the same U3 it signed, and only as that U3 says. Any signature that does not
 * verify, or a request naming survivors other than its neighbours in U3, aborts the
 * round for this client with the reason. This is the client's last step in the round.
 */
export function revealShares(state: SignedState, request: UnmaskRequest): UnmaskMessage {
  const { parameters: p, clientId } = state
  const signed = new Set(state.survivors)
  const named = new Set<string>()
  for (const id of request.survivors) {
    const who = JSON.stringify(id)
    if (!state.held.has(id))
      fail(`server names ${who} a survivor, but it never shared keys with this client`)
    if (named.has(id)) fail(`server names ${who} a survivor twice`)
    if (!signed.has(id))
      fail(
        `server asks for the self-mask share of ${who}, who is not in the survivor set this client signed`,
      )
    named.add(id)
  }
  for (const id of state.held.keys())
    if (signed.has(id) && !named.has(id))
      fail(
        `server asks for the mask-key share of ${JSON.stringify(id)}, who is in the survivor set this client signed`,
      )

  const signers = new Set<string>()
  for (const { clientId: signer, signature } of request.signatures) {
    const who = JSON.stringify(signer)
    const verifier = state.verifiers.get(signer)
    if (!verifier || !signed.has(signer))
      fail(`consistency signature of ${who}, who is not a surviving neighbour`)
    if (signers.has(signer)) fail(`two consistency signatures of ${who}`)
    if (!verifier.verify(state.statement, signature))
      fail(
        `the consistency signature of ${who} is not over the survivor set this client signed (the server showed owners different survivor sets, or forged it)`,
      )
    signers.add(signer)
  }
  if (signers.size < p.threshold)
    fail(
      `only ${signers.size} neighbours signed the survivor set, fewer than the threshold ${p.threshold}`,
    )

  const selfMaskShares: { of: string; share: Uint8Array }[] = []
  const secretKeyShares: { of: string; share: Uint8Array }[] = []
  for (const [id, bundle] of state.held) {
    if (signed.has(id)) selfMaskShares.push({ of: id, share: fieldToBytes(bundle.selfMaskShare) })
    else secretKeyShares.push({ of: id, share: fieldToBytes(bundle.secretKeyShare) })
  }
  return { type: 'secagg-unmask', session: p.session, clientId, selfMaskShares, secretKeyShares }
}
