import { z } from 'zod'

/**
 * Run ids and participant names name folders, rows and log lines: a letter or digit first, then
 * letters, digits, `.`, `_` or `-`, at most 128 characters (no path separators, no spaces).
 */
export const runIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    'must start with a letter or digit and hold only letters, digits, ".", "_" or "-" (at most 128)',
  )

/** A participant's name: its certificate's CN (e.g. `owner-3`). */
export const participantNameSchema = runIdSchema

/** A message id a sender chose: unique per (run, round, sender), printable, at most 128 characters. */
export const messageIdSchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,128}$/, 'must be 1 to 128 printable ASCII characters without spaces')

/** Hex SHA-256: 64 lowercase hex digits. */
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits')
