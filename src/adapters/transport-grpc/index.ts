/**
 * The gRPC transport adapter's public surface: the service provider's mutual-TLS endpoint
 * (a Transport the protocols run on), the participant's outbound connection serving a
 * MessageHandler, the signed envelope and the role table.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export type {
  FederationClientParameters,
  FederationConnection,
} from './connectToFederation.ts'
export { connectToFederation } from './connectToFederation.ts'
export type { Envelope, EnvelopeKind } from './envelope.ts'
export { decodeEnvelope, encodeEnvelope } from './envelope.ts'
export { envelopeSignatureValid, envelopeSigningBytes, signEnvelope } from './envelopeSignature.ts'
export type { FederationEvent, FederationEventSink } from './federationEvent.ts'
export type { FederationLimits } from './federationLimits.ts'
export { CONNECT_PATH, federationService } from './federationService.ts'
export type { MessageRule } from './messageRoles.ts'
export { MESSAGE_RULES, refuseRecipient, refuseReply } from './messageRoles.ts'
export type { FederationRole, PeerIdentity } from './peerIdentity.ts'
export { FEDERATION_ROLES, readPeerIdentity } from './peerIdentity.ts'
export type { EnvelopeSender, OutgoingEnvelope } from './sealEnvelope.ts'
export { sealEnvelope } from './sealEnvelope.ts'
export type {
  FederationServer,
  FederationServerParameters,
  WireStats,
} from './startFederationServer.ts'
export { startFederationServer } from './startFederationServer.ts'
export type { TlsMaterial } from './tlsOptions.ts'
