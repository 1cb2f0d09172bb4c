import type { ProtocolMessage } from '../../core/ports/transport.ts'
import type { FederationRole } from './peerIdentity.ts'

/** Who may receive one request type, and which reply types answer it. */
export interface MessageRule {
  /** Roles whose certificate lets them receive (and so answer) the request. */
  readonly to: readonly FederationRole[]
  /** Reply `type`s accepted from them, besides `error`. */
  readonly replies: readonly string[]
}

const owner = ['data-owner'] as const satisfies readonly FederationRole[]
const verifier = ['verifier'] as const satisfies readonly FederationRole[]
const requestor = ['requestor'] as const satisfies readonly FederationRole[]
const smpc = { to: verifier, replies: ['smpc-ack', 'smpc-relay'] }

/**
 * Role-based access for every request the service provider sends: request `type` → the
 * roles allowed to receive it and the reply types it may be answered with. Keyed by the
 * `type` field of the ProtocolMessage union, so the compiler refuses a message type that is
 * missing here. The role is the OU of the peer's certificate, never a message field, so a
 * data owner cannot answer a requestor's request, a verifier is never asked for (and cannot
 * submit) a model update, and a reply of the wrong type is refused before the protocol
 * parses it.
 *
 *   type                          to           replies
 *   fit                           data-owner   fit-result, fit-protected
 *   secagg-setup / -roster /      data-owner   secagg-keys / -shares / -masked-input /
 *   -masked-input-request /                    -consistency / -unmask / -aborted
 *   -consistency-request /
 *   -unmask-request / -abort
 *   feature-scaling               data-owner   feature-scaling-applied
 *   feature-statistics-request    data-owner   feature-statistics
 *   msfl-gradient-request         data-owner   msfl-encrypted-gradient
 *   msfl-model-request            requestor    msfl-encrypted-model
 *   msfl-masked-gradients         requestor    msfl-selection
 *   msfl-aggregate                requestor    msfl-round-closed
 *   ledger-address-request        requestor,   ledger-address
 *                                 data-owner
 *   msfl-requestor-terms          requestor    msfl-public-key
 *   msfl-owner-terms              data-owner   msfl-owner-terms-accepted
 *   payment-terms                 requestor,   payment-terms-accepted
 *                                 data-owner
 *   payment-round                 requestor    payment-round-opened
 *   smpc-setup / -deal / -material / -model-share / -data-share / -open
 *                                 verifier     smpc-ack, smpc-relay
 *   smpc-advance                  verifier     smpc-progress, smpc-result, smpc-relay
 *   key-holder-decrypt            key-holder   key-holder-sum
 *   key-holder-public-request     key-holder   key-holder-public
 *   describe-data                 data-owner   data-description
 *   protection-terms              data-owner   protection-terms-accepted
 *   privacy-spent-request         data-owner   privacy-spent
 *   deliver-model                 requestor    model-received
 *   run-ended                     every role   run-ended-ack
 */
export const MESSAGE_RULES = {
  fit: { to: owner, replies: ['fit-result', 'fit-protected'] },
  'secagg-setup': { to: owner, replies: ['secagg-keys'] },
  'secagg-roster': { to: owner, replies: ['secagg-shares'] },
  'secagg-masked-input-request': { to: owner, replies: ['secagg-masked-input'] },
  'secagg-consistency-request': { to: owner, replies: ['secagg-consistency'] },
  'secagg-unmask-request': { to: owner, replies: ['secagg-unmask'] },
  'secagg-abort': { to: owner, replies: ['secagg-aborted'] },
  'feature-scaling': { to: owner, replies: ['feature-scaling-applied'] },
  'feature-statistics-request': { to: owner, replies: ['feature-statistics'] },
  'msfl-gradient-request': { to: owner, replies: ['msfl-encrypted-gradient'] },
  'msfl-model-request': { to: requestor, replies: ['msfl-encrypted-model'] },
  'msfl-masked-gradients': { to: requestor, replies: ['msfl-selection'] },
  'msfl-aggregate': { to: requestor, replies: ['msfl-round-closed'] },
  'ledger-address-request': { to: ['requestor', 'data-owner'], replies: ['ledger-address'] },
  'msfl-requestor-terms': { to: requestor, replies: ['msfl-public-key'] },
  'msfl-owner-terms': { to: owner, replies: ['msfl-owner-terms-accepted'] },
  'payment-terms': { to: ['requestor', 'data-owner'], replies: ['payment-terms-accepted'] },
  'payment-round': { to: requestor, replies: ['payment-round-opened'] },
  'smpc-setup': smpc,
  'smpc-deal': smpc,
  'smpc-material': smpc,
  'smpc-model-share': smpc,
  'smpc-data-share': smpc,
  'smpc-open': smpc,
  'smpc-advance': { to: verifier, replies: ['smpc-progress', 'smpc-result', 'smpc-relay'] },
  'key-holder-decrypt': { to: ['key-holder'], replies: ['key-holder-sum'] },
  'key-holder-public-request': { to: ['key-holder'], replies: ['key-holder-public'] },
  'describe-data': { to: owner, replies: ['data-description'] },
  'protection-terms': { to: owner, replies: ['protection-terms-accepted'] },
  'privacy-spent-request': { to: owner, replies: ['privacy-spent'] },
  'deliver-model': { to: requestor, replies: ['model-received'] },
  'run-ended': {
    to: ['data-owner', 'requestor', 'verifier', 'key-holder'],
    replies: ['run-ended-ack'],
  },
} as const satisfies Record<ProtocolMessage['type'], MessageRule>

/** The rule for a request type, or undefined for a type no role may receive. */
export function messageRule(type: unknown): MessageRule | undefined {
  return typeof type === 'string' && Object.hasOwn(MESSAGE_RULES, type)
    ? MESSAGE_RULES[type as ProtocolMessage['type']]
    : undefined
}

/** Why `role` may not receive a request of `type`, or undefined when it may. */
export function refuseRecipient(role: FederationRole, type: unknown): string | undefined {
  const rule = messageRule(type)
  if (!rule) return `no role may receive a ${JSON.stringify(type)} request`
  return rule.to.includes(role)
    ? undefined
    : `a ${role} may not receive ${JSON.stringify(type)} (only ${rule.to.join(', ')})`
}

/** Why `replyType` does not answer a `requestType` request, or undefined when it does. */
export function refuseReply(requestType: unknown, replyType: unknown): string | undefined {
  const rule = messageRule(requestType)
  if (replyType === 'error' || rule?.replies.includes(replyType as string)) return undefined
  return `a ${JSON.stringify(replyType)} reply does not answer ${JSON.stringify(requestType)} (expected ${[...(rule?.replies ?? []), 'error'].join(' or ')})`
}
