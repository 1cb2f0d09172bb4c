/**
 * How serious a detection is. `none` and `low` never change what happens to an update
 * (low is a watch level, shown to operators); from the flag level on (default
 * `medium`) the update is quarantined, and `high` also costs the most reputation and
 * blocks the client.
 */
export type Severity = 'none' | 'low' | 'medium' | 'high'

export const SEVERITIES: readonly Severity[] = ['none', 'low', 'medium', 'high']

/** Position in SEVERITIES, for comparisons. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity)
}

export function atLeast(severity: Severity, level: Severity): boolean {
  return severityRank(severity) >= severityRank(level)
}

export function maxSeverity(severities: Iterable<Severity>): Severity {
  let out: Severity = 'none'
  for (const s of severities) if (severityRank(s) > severityRank(out)) out = s
  return out
}

/** Multiples of a detector's threshold that separate no, low, medium and high severity. */
export interface SeverityBands {
  /** Below `low × threshold`: none. */
  readonly low: number
  /** From `high × threshold`: high. */
  readonly high: number
}

/**
 * Grades how far a statistic went past its threshold: from the threshold on it is
 * medium, from `bands.high` times it high, and from `bands.low` times (a fraction
 * below one) it is low: close enough to watch. Grading by the ratio keeps every
 * detector on one scale whatever its unit (σ, a norm, an anomaly score).
 */
export function gradeExcess(value: number, threshold: number, bands: SeverityBands): Severity {
  if (!(threshold > 0)) return 'none'
  const ratio = value / threshold
  if (ratio >= bands.high) return 'high'
  if (ratio >= 1) return 'medium'
  if (ratio >= bands.low) return 'low'
  return 'none'
}

/**
 * Corroboration: when `count` or more detectors independently reach medium, the
 * update is high. Each detector alone has a small false-positive rate; several at
 * once on an honest update is much rarer, while real attacks trip several (a flipped
 * update is far from the centre, points the wrong way and pulls the mean).
 */
export function corroborate(severities: readonly Severity[], count: number): Severity {
  const worst = maxSeverity(severities)
  if (count < 2 || worst === 'high') return worst
  const medium = severities.filter((s) => s === 'medium').length
  return medium >= count ? 'high' : worst
}
