import type { Severity } from './severity.ts'
import type { UpdateFeatures } from './updateFeatures.ts'

/** One cross-client robust z-score detector: which feature, which tail, which floor. */
export interface ZDetector {
  readonly name: string
  readonly feature: keyof Omit<UpdateFeatures, 'centre' | 'pull'>
  readonly label: string
  /** Which tail is suspicious: high values, low values, or both. */
  readonly tail: 'upper' | 'lower' | 'both'
  /** Scale features get a floor relative to their median, cosines an absolute one. */
  readonly floor: 'relative' | 'absolute'
  /** The floor never goes below this, whatever `spread` says (see the detector). */
  readonly minFloor?: number
  readonly plainOnly: boolean
  /** The most this detector alone can conclude. */
  readonly cap?: Severity
  /** Only meaningful when the mean is pulled from the median more than noise explains. */
  readonly needsPull?: boolean
}

/**
 * The cross-client detectors, each a robust z-score of one feature (see
 * updateFeatures.ts for what each measures and which are affine-invariant). Only the
 * suspicious tail counts: far from the centre, pointing away from it, pulling the
 * mean, or unusually close to another update; the norm in both directions, since a
 * free-rider's empty update is as telling as a boosted one.
 */
export const Z_DETECTORS: readonly ZDetector[] = [
  {
    name: 'norm-z',
    feature: 'norm',
    label: 'norm',
    tail: 'both',
    floor: 'relative',
    plainOnly: true,
  },
  {
    name: 'distance-z',
    feature: 'distance',
    label: 'distance to the median',
    tail: 'upper',
    floor: 'relative',
    plainOnly: false,
  },
  {
    name: 'cosine-z',
    feature: 'cosineToCentre',
    label: 'cosine to the median',
    tail: 'lower',
    floor: 'absolute',
    plainOnly: true,
  },
  {
    name: 'pull-z',
    feature: 'pullAlignment',
    label: 'alignment with the pull of the mean',
    tail: 'upper',
    floor: 'absolute',
    plainOnly: false,
    // Someone always accounts for most of a pull, even a pull that is pure noise.
    needsPull: true,
  },
  {
    name: 'nearest-z',
    feature: 'nearest',
    label: 'distance to the nearest other update',
    tail: 'lower',
    floor: 'relative',
    plainOnly: false,
    // A minimum over pairs varies much more between honest clients than a norm does:
    // with a floor of a quarter of the median, z = 3 means a near-duplicate.
    minFloor: 0.25,
    // Two updates that coincide show collusion, not which one copied: an attacker could
    // copy an honest update to frame its sender, so this alone never blocks.
    cap: 'medium',
  },
]

/** The score in the suspicious direction only: a very small distance is no attack. */
export function excessOf(detector: ZDetector, z: number): number {
  return detector.tail === 'upper' ? z : detector.tail === 'lower' ? -z : Math.abs(z)
}
