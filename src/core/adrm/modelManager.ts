import { MsflError } from '../errors/msflError.ts'

/**
 * Settings of the model manager: the accuracy drop that triggers a rollback and how many versions
 * keep their parameters.
 */
export interface ModelManagerConfig {
  /** Largest tolerated drop in validation accuracy, as a fraction (0.05 = 5 points). */
  readonly margin: number
  /** Accepted versions whose parameters are kept (older ones keep only their summary). */
  readonly keep: number
}

export const DEFAULT_MODEL_MANAGER: ModelManagerConfig = { margin: 0.05, keep: 10 }

/** One global model version the model manager saw: its round, validation accuracy and status. */
export interface ModelVersionSummary {
  readonly version: number
  readonly round: number
  readonly validationAccuracy: number
  readonly status: 'accepted' | 'rolled-back'
  /** Whether the parameters are still held (only the latest `keep` accepted versions). */
  readonly restorable: boolean
}

/**
 * What the model manager decided about a new global model: accept it as a new version, or roll back
 * to an earlier one.
 */
export type ModelDecision =
  | {
      readonly kind: 'accepted'
      readonly version: number
      /** A copy of the accepted parameters. */
      readonly params: Float64Array
    }
  | {
      readonly kind: 'rolled-back'
      /** The version number the rejected model received. */
      readonly fromVersion: number
      /** The version restored. */
      readonly toVersion: number
      /** Exactly the restored version's parameters (a copy). */
      readonly params: Float64Array
      readonly accuracyBefore: number
      readonly accuracyAfter: number
      readonly margin: number
    }

/**
 * Keeps the accepted global model versions and rolls back when validation accuracy drops by more
 * than the margin.
 */
export interface ModelManager {
  /** Records a new global model; rolls back when its accuracy dropped by more than the margin. */
  consider(round: number, params: Float64Array, validationAccuracy: number): ModelDecision
  /** The latest accepted version, if any. */
  current(): ModelVersionSummary | undefined
  /** Every version still summarised, oldest first. */
  versions(): readonly ModelVersionSummary[]
  /** A copy of a held version's parameters (an operator's rollback), undefined if not held. */
  restore(version: number): Float64Array | undefined
}

interface StoredVersion {
  summary: ModelVersionSummary
  params?: Float64Array
}

/** Drops smaller than this are rounding, not a drop: 0.90 − 0.85 is 0.05000000000000004. */
const ROUNDING = 1e-9

/**
 * Versioned global models with automatic rollback (SPEC C6). Every considered model
 * gets the next version number. It is accepted unless its validation accuracy is
 * more than `margin` below the latest accepted version's; then it is recorded as
 * rolled back and the caller gets exactly the latest accepted parameters back (a
 * copy: what the manager holds cannot be changed from outside). The comparison is
 * with the latest accepted version, not the best ever: a model that loses a little
 * every round is not caught (the threat model in docs/adrm.md says so).
 *
 * The first model is always accepted; consider the initial model as round 0 so that
 * round 1 can already be rolled back. Keeps parameters for the last `keep` accepted
 * versions and summaries for ten times as many versions.
 */
export function createModelManager(config: ModelManagerConfig): ModelManager {
  if (!(config.keep >= 1))
    throw new MsflError('CONFIG_INVALID', `adrm: versions must be at least 1, got ${config.keep}`)
  const stored: StoredVersion[] = []
  let nextVersion = 0
  let latest: StoredVersion | undefined

  const trim = () => {
    let accepted = 0
    for (let i = stored.length - 1; i >= 0; i--) {
      const entry = stored[i]!
      if (entry.summary.status !== 'accepted') continue
      accepted++
      if (accepted > config.keep && entry.params) {
        delete entry.params
        entry.summary = { ...entry.summary, restorable: false }
      }
    }
    const limit = 10 * config.keep
    if (stored.length > limit) stored.splice(0, stored.length - limit)
  }

  return {
    consider(round, params, validationAccuracy) {
      if (!Number.isFinite(validationAccuracy))
        throw new MsflError(
          'PROTOCOL',
          `model manager: validation accuracy must be a number, got ${validationAccuracy}`,
        )
      const version = nextVersion++
      const previous = latest
      const drop = previous ? previous.summary.validationAccuracy - validationAccuracy : 0
      if (previous?.params && drop > config.margin + ROUNDING) {
        stored.push({
          summary: { version, round, validationAccuracy, status: 'rolled-back', restorable: false },
        })
        trim()
        return {
          kind: 'rolled-back',
          fromVersion: version,
          toVersion: previous.summary.version,
          params: Float64Array.from(previous.params),
          accuracyBefore: previous.summary.validationAccuracy,
          accuracyAfter: validationAccuracy,
          margin: config.margin,
        }
      }
      const entry: StoredVersion = {
        summary: { version, round, validationAccuracy, status: 'accepted', restorable: true },
        params: Float64Array.from(params),
      }
      stored.push(entry)
      latest = entry
      trim()
      return { kind: 'accepted', version, params: Float64Array.from(params) }
    },
    current: () => latest?.summary,
    versions: () => stored.map((s) => s.summary),
    restore(version) {
      const entry = stored.find((s) => s.summary.version === version)
      return entry?.params ? Float64Array.from(entry.params) : undefined
    },
  }
}
