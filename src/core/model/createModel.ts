import { MsflError } from '../errors/msflError.ts'
import type { DenseModel } from './denseNetwork.ts'
import { createLinearRegression } from './linearRegression.ts'
import { createLogisticRegression } from './logisticRegression.ts'
import { createMlp } from './mlp.ts'
import type { ModelKind, ModelSpec } from './model.ts'
import { createSoftmaxRegression } from './softmaxRegression.ts'
import { MODEL_KINDS, validateModelSpec } from './validateModelSpec.ts'

/** Hidden layers of `mlp` when the text names none. */
export const DEFAULT_MLP_HIDDEN: readonly number[] = [128]

const OPTIONS: Record<ModelKind, readonly string[]> = {
  linear: ['l2'],
  logistic: ['l2'],
  softmax: ['l2'],
  mlp: ['hidden', 'l2'],
}

/** Builds the model a spec describes, after validating every field (MsflError 'MODEL_INVALID'). */
export function createModel(spec: ModelSpec): DenseModel {
  validateModelSpec(spec)
  switch (spec.kind) {
    case 'linear':
      return createLinearRegression({ inputDim: spec.inputDim, l2: spec.l2 })
    case 'logistic':
      return createLogisticRegression({ inputDim: spec.inputDim, l2: spec.l2 })
    case 'softmax':
      return createSoftmaxRegression({
        inputDim: spec.inputDim,
        numClasses: spec.outputDim,
        l2: spec.l2,
      })
    case 'mlp':
      return createMlp({
        inputDim: spec.inputDim,
        hidden: spec.hidden,
        numClasses: spec.outputDim,
        l2: spec.l2,
      })
  }
}

/**
 * Parses a command-line model description into a spec for a dataset with the given
 * input width and class count (0 = regression).
 *
 * Grammar: `kind[:option=value[,option=value…]]`, options separated by `,` or `:`.
 * - kinds: linear, logistic, softmax, mlp
 * - `l2=<number >= 0>` on any kind (default 0)
 * - `hidden=<w1>x<w2>x…` on mlp only: hidden widths joined by `x`, e.g. `mlp:hidden=256x128`
 *   (default 128)
 * Examples: `softmax:l2=0.0001`, `mlp:hidden=256x128,l2=1e-4`.
 * linear needs numClasses 0 (regression), 1 or 2 (regressing the 0/1 label);
 * logistic needs 1 or 2; softmax and mlp need at least 2.
 */
export function parseModelSpec(text: string, inputDim: number, numClasses: number): ModelSpec {
  const source = text.trim()
  const colon = source.indexOf(':')
  const kindText = (colon < 0 ? source : source.slice(0, colon)).trim()
  if (!(MODEL_KINDS as readonly string[]).includes(kindText)) {
    throw invalid(
      `model kind '${kindText}' in '${text}' is unknown; valid kinds: ${MODEL_KINDS.join(', ')}`,
    )
  }
  const kind = kindText as ModelKind
  if (!Number.isInteger(numClasses) || numClasses < 0) {
    throw invalid(`numClasses must be an integer >= 0, got ${numClasses}`)
  }

  const allowed = OPTIONS[kind]
  const values = new Map<string, string>()
  const optionText = colon < 0 ? '' : source.slice(colon + 1)
  for (const part of optionText.split(/[,:]/)) {
    const item = part.trim()
    if (item === '') {
      if (colon < 0) continue
      throw invalid(
        `model spec '${text}' has an empty option; write kind:option=value,option=value`,
      )
    }
    const eq = item.indexOf('=')
    const name = (eq < 0 ? item : item.slice(0, eq)).trim()
    if (!allowed.includes(name)) {
      throw invalid(
        `model option '${name}' in '${text}' is unknown for ${kind}; valid options: ${allowed.join(', ')}`,
      )
    }
    if (eq < 0) throw invalid(`model option '${name}' in '${text}' needs a value, e.g. ${name}=…`)
    if (values.has(name)) throw invalid(`model option '${name}' is given twice in '${text}'`)
    values.set(name, item.slice(eq + 1).trim())
  }

  const l2Text = values.get('l2')
  const l2 = l2Text === undefined ? 0 : parseL2(l2Text)
  const hiddenText = values.get('hidden')
  const hidden =
    kind !== 'mlp'
      ? []
      : hiddenText === undefined
        ? [...DEFAULT_MLP_HIDDEN]
        : parseHidden(hiddenText)

  let outputDim: number
  if (kind === 'linear' || kind === 'logistic') {
    const min = kind === 'linear' ? 0 : 1
    if (numClasses < min || numClasses > 2) {
      throw invalid(
        `model kind ${kind} needs numClasses ${min === 0 ? '0 (regression), 1 or 2' : '1 or 2'}, ` +
          `got ${numClasses}; use softmax or mlp for more classes`,
      )
    }
    outputDim = 1
  } else {
    if (numClasses < 2) {
      throw invalid(`model kind ${kind} needs numClasses >= 2, got ${numClasses}`)
    }
    outputDim = numClasses
  }
  return validateModelSpec({ kind, inputDim, outputDim, hidden, l2 })
}

function parseL2(text: string): number {
  const value = Number(text)
  if (text === '' || !Number.isFinite(value) || value < 0) {
    throw invalid(`model option l2='${text}' must be a finite number >= 0, e.g. l2=1e-4`)
  }
  return value
}

function parseHidden(text: string): number[] {
  const parts = text.split('x')
  if (!parts.every((p) => /^[1-9][0-9]*$/.test(p.trim()))) {
    throw invalid(
      `model option hidden='${text}' must be positive layer widths joined by 'x', e.g. hidden=256x128`,
    )
  }
  return parts.map((p) => Number(p.trim()))
}

function invalid(message: string): MsflError {
  return new MsflError('MODEL_INVALID', message)
}
