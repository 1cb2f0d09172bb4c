import { z } from 'zod'
import { describeZodError } from '../errors/describeZodError.ts'
import { MsflError } from '../errors/msflError.ts'
import { decodeMessage } from '../wire/decodeMessage.ts'
import { encodeMessage } from '../wire/encodeMessage.ts'
import type { ModelSpec } from './model.ts'

/** Schema of a decoded model file: format tag, version, model spec, parameters and metadata. */
export const modelFileSchema = z
  .object({
    format: z.literal('msfl-model'),
    version: z.literal(1),
    spec: z.object({
      kind: z.enum(['linear', 'logistic', 'softmax', 'mlp']),
      inputDim: z.number().int().min(1),
      outputDim: z.number().int().min(1),
      hidden: z.array(z.number().int().min(1)),
      l2: z.number().min(0),
    }),
    params: z.custom<Float64Array>((v) => v instanceof Float64Array, 'expected a Float64Array'),
    /** Free-form provenance: run id, dataset, class names. */
    meta: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.string())])),
  })
  .strict()

/** A saved model: its spec, parameters and metadata (validated by `modelFileSchema`). */
export type ModelFile = z.infer<typeof modelFileSchema>

/** The saved form of a trained model: the wire codec, so it loads anywhere msfl runs. */
export function encodeModelFile(
  spec: ModelSpec,
  params: Float64Array,
  meta: ModelFile['meta'],
): Uint8Array {
  return encodeMessage({
    format: 'msfl-model',
    version: 1,
    spec: { ...spec, hidden: [...spec.hidden] },
    params,
    meta,
  })
}

/**
 * Decodes and validates a model file; throws `MsflError` `MODEL_INVALID` naming `name` when the
 * bytes are not one.
 */
export function decodeModelFile(bytes: Uint8Array, name = 'model file'): ModelFile {
  let value: unknown
  try {
    value = decodeMessage(bytes)
  } catch (error) {
    throw new MsflError('MODEL_INVALID', `${name}: ${(error as Error).message}`)
  }
  const parsed = modelFileSchema.safeParse(value)
  if (!parsed.success)
    throw new MsflError('MODEL_INVALID', `${name}: ${describeZodError(parsed.error)}`)
  return parsed.data
}
