/**
 * The roles a federation participant can hold. A peer's role is read from the OU of its
 * certificate (checked against its SAN URI), never from a message field: the PKI issues
 * certificates for these roles and the transport authorises each message type by them.
 */
export const PARTICIPANT_ROLES = [
  'service-provider',
  'requestor',
  'data-owner',
  'verifier',
  'key-holder',
] as const

/** One of {@link PARTICIPANT_ROLES}. */
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number]
