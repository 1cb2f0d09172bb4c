import { z } from 'zod'

/**
 * The schema of one protocol message: an object whose `type` is the literal `type`
 * and whose other fields are `shape`. It is strict (an unknown key fails the parse), so
 * a peer cannot slip fields past the receiver. The SecAgg, SMPC and MS-FL message
 * catalogues build every message schema with it.
 */
export function messageSchema<const Type extends string, const Shape extends z.ZodRawShape>(
  type: Type,
  shape: Shape,
) {
  return z.object({ type: z.literal(type), ...shape }).strict()
}
