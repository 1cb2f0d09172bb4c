import { z } from 'zod'

import { PARTICIPANT_ROLES, type ParticipantRole } from '../../core/deploy/participantRoles.ts'

export { PARTICIPANT_ROLES, type ParticipantRole }

/** Validates a role name; the error lists the valid roles. */
export const participantRoleSchema = z.enum(PARTICIPANT_ROLES, {
  error: () => `unknown role (valid: ${PARTICIPANT_ROLES.join(', ')})`,
})
