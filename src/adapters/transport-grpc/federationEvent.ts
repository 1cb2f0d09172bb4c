import type { FederationRole } from './peerIdentity.ts'

/**
 * What a federation endpoint reports to its log hook. `refused` is every envelope,
 * connection or request turned away, with the reason; a refusal changes no state and
 * ends nothing but, where the TLS handshake or the stream's identity failed, that one
 * connection. `peer` is the certificate's name when known, else the remote address.
 * No event carries a payload, a key or a signature.
 */
export type FederationEvent =
  | { readonly type: 'refused'; readonly peer: string; readonly reason: string }
  | { readonly type: 'peer-connected'; readonly peer: string; readonly role: FederationRole }
  | { readonly type: 'peer-disconnected'; readonly peer: string; readonly reason: string }
  | {
      readonly type: 'reconnecting'
      readonly peer: string
      readonly delayMs: number
      readonly reason: string
    }

/** Receives a federation endpoint's events (for logs); must not throw. */
export type FederationEventSink = (event: FederationEvent) => void
