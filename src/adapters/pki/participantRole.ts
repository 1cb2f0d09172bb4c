import { z } from 'zod'

/**
 * The roles a federation participant can hold. A peer's role is read from the OU of its
 * certificate (checked against its SAN URI), never from a message field.
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

/** Validates a role name; the error lists the valid roles. */
export const participantRoleSchema = z.enum(PARTICIPANT_ROLES, {
  error: () => `unknown role (valid: ${PARTICIPANT_ROLES.join(', ')})`,
})
