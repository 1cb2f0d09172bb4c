import { MsflError } from '../errors/msflError.ts'
import type { ModelKind, ModelSpec } from './model.ts'
import { countParams } from './parameterLayout.ts'

export const MODEL_KINDS: readonly ModelKind[] = ['linear', 'logistic', 'softmax', 'mlp']

/**
 * Upper bound on the parameter count. A Float64Array this size is 512 MiB; anything
 * larger is almost certainly a typo in a hidden-layer width, and failing here gives a
 * message naming the spec instead of an opaque RangeError from the allocator.
 */
export const MAX_PARAMS = 2 ** 26

/** Checks every field of a spec and returns it unchanged, or throws MsflError('MODEL_INVALID'). */
export function validateModelSpec(spec: ModelSpec): ModelSpec {
  if (!MODEL_KINDS.includes(spec.kind)) {
    throw invalid(
      `model spec kind '${String(spec.kind)}' is unknown; valid kinds: ${MODEL_KINDS.join(', ')}`,
    )
  }
  if (!isPositiveInt(spec.inputDim)) {
    throw invalid(`model spec inputDim must be a positive integer, got ${spec.inputDim}`)
  }
  if (!Array.isArray(spec.hidden))
    throw invalid('model spec hidden must be an array of layer widths')
  if (spec.kind === 'linear' || spec.kind === 'logistic') {
    if (spec.outputDim !== 1) {
      throw invalid(`model spec outputDim must be 1 for ${spec.kind}, got ${spec.outputDim}`)
    }
  } else if (!Number.isInteger(spec.outputDim) || spec.outputDim < 2) {
    throw invalid(
      `model spec outputDim must be an integer >= 2 for ${spec.kind}, got ${spec.outputDim}`,
    )
  }
  if (spec.kind === 'mlp') {
    if (spec.hidden.length === 0) {
      throw invalid(
        "model spec hidden must list at least one layer width for mlp (use 'softmax' for none)",
      )
    }
    spec.hidden.forEach((width, i) => {
      if (!isPositiveInt(width)) {
        throw invalid(`model spec hidden[${i}] must be a positive integer, got ${width}`)
      }
    })
  } else if (spec.hidden.length !== 0) {
    throw invalid(
      `model spec hidden must be empty for ${spec.kind}, got [${spec.hidden.join(', ')}]`,
    )
  }
  if (typeof spec.l2 !== 'number' || !Number.isFinite(spec.l2) || spec.l2 < 0) {
    throw invalid(`model spec l2 must be a finite number >= 0, got ${spec.l2}`)
  }
  const numParams = countParams(spec)
  if (numParams > MAX_PARAMS) {
    throw invalid(`model spec has ${numParams} parameters, more than the limit of ${MAX_PARAMS}`)
  }
  return spec
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0
}

function invalid(message: string): MsflError {
  return new MsflError('MODEL_INVALID', message)
}
