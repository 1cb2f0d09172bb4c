/**
 * The contract every robust aggregation rule implements. Rules are pure: they read
 * the update vectors and return a fresh aggregate, never aliasing or changing an input.
 * Updates are what the runtime aggregates, i.e. deltas (client parameters minus the
 * global parameters) or gradients, never raw parameters: norm-based rules (centered
 * clipping, norm bound) measure distance from zero.
 */
export interface AggregationInput {
  readonly updates: readonly Float64Array[]
  /** Example counts per update; only rules that weight (fedavg, norm-bound) use them. Defaults to equal weights. */
  readonly weights?: readonly number[]
  /** Assumed number of Byzantine updates. */
  readonly f: number
  /**
   * A trusted update the aggregator computed itself, on its own clean data, from the same
   * global model (FLTrust's server update); only rules that need one (fltrust) read it.
   */
  readonly reference?: Float64Array
}

/** Which owners a per-component rule selected for each component, as a components × t bitmap. */
export interface ComponentSelection {
  /** For component j, owner i was selected iff selected[j * t + i] === 1 (t = number of updates). */
  readonly selected: Uint8Array
  readonly t: number
  readonly components: number
}

/** The aggregate of a robust rule and which updates it used. */
export interface AggregationResult {
  readonly aggregate: Float64Array
  /** Indices of updates the rule used (Krum family, Bulyan); undefined for coordinate-wise rules. */
  readonly selected?: readonly number[]
  /** Per-component selection (MS-FL rule only). */
  readonly componentSelection?: ComponentSelection
}

/**
 * A robust aggregation rule (median, trimmed mean, Krum, Bulyan, …) as a pure function over update
 * vectors.
 */
export interface RobustRule {
  readonly name: string
  /** Paper reference, one line. */
  readonly citation: string
  /** Human-readable tolerance, e.g. 'f < n/2', 'n ≥ 2f + 3', 'none (not Byzantine-robust)'. */
  readonly tolerance: string
  /** Whether the rule is Byzantine-robust (fedavg and norm-bound are not; they are baselines/mitigations). */
  readonly byzantineRobust: boolean
  /** Throws MsflError('CONFIG_INVALID') when n updates cannot tolerate f attackers. */
  assertTolerates(n: number, f: number): void
  /** Combines the updates into one vector. */
  aggregate(input: AggregationInput): AggregationResult
}
