import { MsflError } from '../../core/errors/msflError.ts'
import type { HidingPart } from '../../core/privacy/parsePrivacySpec.ts'
import { createSeededRng, deriveSeed, shuffleInPlace } from '../../core/rng/seededRng.ts'
import type { CreateProtection, OpenedProtection } from './updateProtection.ts'

/**
 * Builds the protection `hiding` names (which `planRun` checked against the strategy and
 * aggregator) for the run's clients, with the simulated dropouts of `--dropout`, and the
 * participants it brings (the key holder).
 */
export async function openProtection(p: {
  readonly runId: string
  readonly hiding: HidingPart
  readonly dropout: number
  readonly seed: number
  readonly clients: readonly string[]
  readonly rounds: number
  readonly minContributors: number
  readonly omniscient: boolean
  readonly referenceExamples: number
  readonly createProtection: CreateProtection | undefined
}): Promise<OpenedProtection> {
  const { clients } = p
  if (p.omniscient)
    throw new MsflError(
      'CONFIG_INVALID',
      'privacy: omniscient attacks read the honest updates, which the protection hides',
    )
  if (!p.createProtection)
    throw new MsflError('CONFIG_INVALID', 'privacy: this runner has no update protections')
  // --dropout: per round, a seeded share of the clients vanishes after key sharing.
  const count = Math.floor(p.dropout * clients.length)
  const droppers = new Map<number, Set<string>>()
  const dropsOut = (clientId: string, round: number) => {
    if (count === 0) return false
    let set = droppers.get(round)
    if (!set) {
      const order = shuffleInPlace(
        [...clients],
        createSeededRng(deriveSeed(p.seed, 'dropout', round)),
      )
      set = new Set(order.slice(0, count))
      droppers.set(round, set)
    }
    return set.has(clientId)
  }
  return p.createProtection(p.hiding, {
    runId: p.runId,
    clients,
    rounds: p.rounds,
    minContributors: p.minContributors,
    referenceExamples: p.referenceExamples,
    dropsOut,
  })
}
