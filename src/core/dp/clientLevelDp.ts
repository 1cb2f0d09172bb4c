import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import { addGaussianNoise } from './addGaussianNoise.ts'
import { assertNoiseRng } from './assertNoiseRng.ts'
import { clipToNorm } from './clipToNorm.ts'
import { createRdpAccountant, type PrivacySpent } from './rdpAccountant.ts'
import type { RdpConversion } from './rdpToEpsilon.ts'

/**
 * Where the noise of client-level DP comes from, and whom it protects against:
 * - `central`: the server adds N(0, σ²S²) to the sum of clipped updates. The server is
 *   trusted (it sees the individual updates or their exact secure sum); the guarantee
 *   holds for everyone who sees the models, under add/remove-one-client adjacency and
 *   with amplification by Poisson client sampling (those observers do not know who was
 *   sampled).
 * - `distributed`: each contributing client adds N(0, σ²S²/t) to its own clipped
 *   update, so that any t or more shares sum to at least σ²S². Only meaningful when
 *   the server sees nothing but the sum (secure aggregation). The server knows who took
 *   part, so there is no amplification: each released round is a Gaussian mechanism
 *   (q = 1) with σ·√(m/t) for m shares, under zero-out adjacency (the client's update
 *   replaced by 0; its noise share is sent either way, so m is the same in both worlds).
 *   The accountant charges every released round, i.e. a client that took part in all.
 */
export type ClientNoise = 'central' | 'distributed'

export interface ClientLevelDpOptions {
  /** S: every client's update (Δ = its parameters − the global ones) is clipped to this L2 norm. */
  readonly clipNorm: number
  /** σ: the noise on the sum of clipped updates has standard deviation σ·S. */
  readonly noiseMultiplier: number
  readonly delta: number
  /** q: each client takes part in a round independently with this probability. */
  readonly clientSamplingRate: number
  /** K: clients in the population; q·K is the fixed denominator of the mean update. */
  readonly clients: number
  readonly noise: ClientNoise
  /** distributed: t, the fewest contributors whose noise shares a round may release. */
  readonly minContributors?: number
  /** The server stops before a round would take ε past this. */
  readonly epsilonBudget?: number
  /** Allows seeded Rngs for sampling and noise (reproducible simulations only). */
  readonly simulation?: boolean
  readonly orders?: readonly number[]
  readonly conversion?: RdpConversion
}

/** A round a previous server process released: its number, contributors and the σ its sum carried. */
export type PastClientRound = Pick<ClientRoundPrivacy, 'round' | 'contributors' | 'noiseMultiplier'>

export interface ClientRoundPrivacy extends PrivacySpent {
  readonly round: number
  readonly contributors: number
  /** σ the round's sum actually carried (distributed: σ·√(m/t) for m contributors). */
  readonly noiseMultiplier: number
}

/**
 * Client-level DP for FedAvg (DP-FedAvg, McMahan, Ramage, Talwar, Zhang, ICLR 2018):
 * neighbouring runs differ by one client's entire data. Clients are Poisson-sampled
 * with rate q; each update is clipped to S and contributes with weight 1 (example
 * counts would change the sensitivity); the mean update is (Σ clip(Δᵢ) + noise)/(q·K)
 * — a fixed denominator, since dividing by the drawn count would leak it. One round is
 * one sampled Gaussian step at (q, σ) for the accountant (distributed: at (1, σ·√(m/t))).
 */
export interface ClientLevelDp {
  readonly options: ClientLevelDpOptions
  /** Poisson client sampling for a round (may select nobody: the round then releases pure noise). */
  sampleClients(available: readonly string[], rng: Rng): string[]
  /** Client side: clip Δ to S and, with distributed noise, add this client's share. Returns a new vector. */
  privatizeUpdate(update: Float64Array, rng: Rng): Float64Array
  /**
   * Server side: from Σ of the contributors' privatized updates, the update to add to
   * the global model. Central noise is added here; the round is composed into the
   * accountant. Distributed noise with fewer than t contributors is refused (the sum
   * would carry less noise than promised): the round must then be dropped.
   */
  finishRound(round: number, sum: Float64Array, contributors: number, rng?: Rng): Float64Array
  spent(): PrivacySpent
  history(): readonly ClientRoundPrivacy[]
  /**
   * A resumed run (its server restarted): composes the rounds released before into the
   * accountant, each at the σ its sum carried, before any new round finishes.
   */
  restore(past: readonly PastClientRound[]): void
  /** Whether one more planned round (at σ) would take ε past the budget (false without one). */
  wouldExceedBudget(): boolean
}

export function createClientLevelDp(options: ClientLevelDpOptions): ClientLevelDp {
  checkOptions(options)
  const { clipNorm, noiseMultiplier, delta, clientSamplingRate: q, clients, noise } = options
  const t = options.minContributors ?? 1
  const denominator = q * clients
  // Central: the models' observers do not know who was sampled, so client sampling
  // amplifies. Distributed: the adversary is the server, which knows who took part, so
  // each released round is a plain Gaussian mechanism (q = 1) on the client's update.
  const mechanism = (sigma: number) => ({
    samplingRate: noise === 'central' ? q : 1,
    noiseMultiplier: sigma,
  })
  const accountant = createRdpAccountant({
    delta,
    ...(options.orders ? { orders: options.orders } : {}),
    ...(options.conversion ? { conversion: options.conversion } : {}),
  })
  const history: ClientRoundPrivacy[] = []

  return {
    options,
    sampleClients(available, rng) {
      assertNoiseRng(rng, options.simulation, 'client-level DP sampling')
      return available.filter(() => rng.next() < q)
    },
    privatizeUpdate(update, rng) {
      const out = Float64Array.from(update)
      clipToNorm(out, clipNorm)
      if (noise === 'distributed') {
        assertNoiseRng(rng, options.simulation, 'client-level DP noise share')
        addGaussianNoise(out, (noiseMultiplier * clipNorm) / Math.sqrt(t), rng)
      }
      return out
    },
    finishRound(round, sum, contributors, rng) {
      if (!Number.isInteger(contributors) || contributors < 0)
        throw invalid(`contributors must be an integer >= 0, got ${contributors}`)
      let sigma = noiseMultiplier
      const out = Float64Array.from(sum)
      if (noise === 'central') {
        if (!rng) throw invalid('central noise needs the server Rng')
        assertNoiseRng(rng, options.simulation, 'client-level DP central noise')
        addGaussianNoise(out, noiseMultiplier * clipNorm, rng)
      } else {
        if (contributors < t)
          throw new MsflError(
            'PROTOCOL',
            `round ${round}: only ${contributors} noise shares, the sum needs at least ${t} to carry σ = ${noiseMultiplier}; drop the round`,
          )
        // m shares of variance σ²S²/t each: the sum carries σ·√(m/t) ≥ σ.
        sigma = noiseMultiplier * Math.sqrt(contributors / t)
      }
      for (let j = 0; j < out.length; j++) out[j]! /= denominator
      const spent = accountant.step(1, mechanism(sigma))
      history.push({ round, contributors, noiseMultiplier: sigma, ...spent })
      return out
    },
    spent: () => accountant.spent(),
    history: () => [...history],
    restore(past) {
      if (history.length > 0)
        throw invalid('restore: rounds were released already; restore the past rounds first')
      for (const { round, contributors, noiseMultiplier: sigma } of past) {
        if (!(sigma >= noiseMultiplier))
          throw invalid(
            `restore: round ${round} carried σ = ${sigma}, below the job's σ = ${noiseMultiplier}`,
          )
        const spent = accountant.step(1, mechanism(sigma))
        history.push({ round, contributors, noiseMultiplier: sigma, ...spent })
      }
    },
    wouldExceedBudget() {
      return (
        options.epsilonBudget !== undefined &&
        accountant.wouldExceed(options.epsilonBudget, 1, mechanism(noiseMultiplier))
      )
    },
  }
}

function checkOptions(o: ClientLevelDpOptions): void {
  if (!(o.clipNorm > 0 && Number.isFinite(o.clipNorm)))
    throw invalid(`clipNorm must be a finite number > 0, got ${o.clipNorm}`)
  if (!(o.noiseMultiplier > 0 && Number.isFinite(o.noiseMultiplier)))
    throw invalid(`noiseMultiplier must be a finite number > 0, got ${o.noiseMultiplier}`)
  if (!(o.clientSamplingRate > 0 && o.clientSamplingRate <= 1))
    throw invalid(`clientSamplingRate must be in (0, 1], got ${o.clientSamplingRate}`)
  if (!Number.isInteger(o.clients) || o.clients < 1)
    throw invalid(`clients must be an integer >= 1, got ${o.clients}`)
  if (o.noise !== 'central' && o.noise !== 'distributed')
    throw invalid(`noise must be central or distributed, got ${JSON.stringify(o.noise)}`)
  if (o.noise === 'distributed') {
    const t = o.minContributors
    if (t === undefined || !Number.isInteger(t) || t < 1 || t > o.clients)
      throw invalid(
        `distributed noise needs minContributors: an integer in 1..${o.clients} (the fewest shares a round may release), got ${t}`,
      )
  }
  if (o.epsilonBudget !== undefined && !(o.epsilonBudget > 0))
    throw invalid(`epsilonBudget must be > 0, got ${o.epsilonBudget}`)
}

function invalid(message: string): MsflError {
  return new MsflError('CONFIG_INVALID', `client-level DP: ${message}`)
}
