import { MsflError } from '../../core/errors/msflError.ts'
import type { PrivacyPart } from '../../core/privacy/parsePrivacySpec.ts'
import { createSeededRng, deriveSeed, shuffleInPlace } from '../../core/rng/seededRng.ts'
import type { RunSimulationParameters } from '../runSimulation.ts'
import type { UpdateProtection } from './updateProtection.ts'

/** Checks that the run can hide its updates, then builds the protection. */
export async function openProtection(
  p: RunSimulationParameters,
  parts: readonly PrivacyPart[],
  clients: readonly string[],
  omniscient: boolean,
  referenceExamples: number,
): Promise<UpdateProtection> {
  const { config } = p
  if (config.strategy !== 'fedavg')
    throw new MsflError('CONFIG_INVALID', 'privacy: protected updates need strategy fedavg')
  if (config.aggregator !== 'fedavg')
    throw new MsflError(
      'CONFIG_INVALID',
      `privacy: ${config.aggregator} needs every individual update, which ${parts[0]!.name} hides; use aggregator fedavg`,
    )
  if (omniscient)
    throw new MsflError(
      'CONFIG_INVALID',
      'privacy: omniscient attacks read the honest updates, which the protection hides',
    )
  if (!p.createProtection)
    throw new MsflError('CONFIG_INVALID', 'privacy: this runner has no update protections')
  // --dropout: per round, a seeded share of the clients vanishes after key sharing.
  const count = Math.floor(config.dropout * clients.length)
  const droppers = new Map<number, Set<string>>()
  const dropsOut = (clientId: string, round: number) => {
    if (count === 0) return false
    let set = droppers.get(round)
    if (!set) {
      const order = shuffleInPlace(
        [...clients],
        createSeededRng(deriveSeed(config.seed, 'dropout', round)),
      )
      set = new Set(order.slice(0, count))
      droppers.set(round, set)
    }
    return set.has(clientId)
  }
  return p.createProtection(parts, { runId: p.runId, clients, referenceExamples, dropsOut })
}
