import { MsflError } from '../../core/errors/msflError.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import type { ProtocolMessage, Transport } from '../../core/ports/transport.ts'
import {
  acceptConsistency,
  acceptKeys,
  acceptMaskedInputs,
  acceptShares,
  type SecaggRoundConfig,
  startSecaggServer,
} from '../../core/secagg/secaggServer.ts'
import { type SecaggOutcome, unmaskSum } from '../../core/secagg/unmaskSum.ts'
import { type StartTimer, startTimeout } from '../rounds/collectReplies.ts'
import { collectStageReplies } from './collectStageReplies.ts'

export interface RunSecureAggregationParameters extends SecaggRoundConfig {
  /** Reaches every client in `clients` (each a createSecaggClient handler, or a remote one). */
  readonly transport: Transport
  /** The server's primitives: the roster digest, key agreement and mask expansion. */
  readonly crypto: Pick<SecaggCrypto, 'hash' | 'agree' | 'expandMask' | 'publicKeyOf'>
  /** Longest wait for the replies of one stage, in ms: whoever has not answered by then has dropped. */
  readonly stageTimeoutMs: number
  /** Starts a stage timer (default: setTimeout). */
  readonly startTimer?: StartTimer
  /** Clock for serverComputeMs (default: performance.now). */
  readonly now?: () => number
}

export interface SecureAggregationResult extends SecaggOutcome {
  readonly session: string
  /** Time spent in the server's own steps (not waiting for clients), in ms. */
  readonly serverComputeMs: number
}

/**
 * Runs one round of secure aggregation as the server, over any transport: setup and
 * advertise-keys, share-keys, masked-input, consistency-check, unmasking, each stage
 * under its own timeout. Resolves with the survivors' sum, or rejects with MsflError('PROTOCOL') and
 * no partial output when fewer than t clients remain at some stage; clients are then
 * told to drop the round's secrets (best effort, bounded by the stage timeout).
 */
export async function runSecureAggregation(
  p: RunSecureAggregationParameters,
): Promise<SecureAggregationResult> {
  if (!Number.isFinite(p.stageTimeoutMs) || p.stageTimeoutMs <= 0)
    throw new MsflError(
      'CONFIG_INVALID',
      `stageTimeoutMs must be a positive number, got ${p.stageTimeoutMs}`,
    )
  const startTimer = p.startTimer ?? startTimeout
  const now = p.now ?? (() => performance.now())
  let serverComputeMs = 0
  const timed = <T>(step: () => T): T => {
    const t0 = now()
    try {
      return step()
    } finally {
      serverComputeMs += now() - t0
    }
  }
  const collect = (requests: ReadonlyMap<string, ProtocolMessage>) =>
    collectStageReplies(p.transport, requests, p.stageTimeoutMs, startTimer)

  // Configuration errors surface before any client hears of the round.
  const start = timed(() => startSecaggServer(p))
  try {
    const setupReplies = await collect(start.requests)
    const roster = timed(() => acceptKeys(start.state, setupReplies, p.crypto))
    const shareReplies = await collect(roster.requests)
    const routed = timed(() => acceptShares(roster.state, shareReplies))
    const maskedReplies = await collect(routed.requests)
    const check = timed(() => acceptMaskedInputs(routed.state, maskedReplies))
    const signatureReplies = await collect(check.requests)
    const unmask = timed(() => acceptConsistency(check.state, signatureReplies))
    const unmaskReplies = await collect(unmask.requests)
    const outcome = timed(() => unmaskSum(unmask.state, unmaskReplies, p.crypto))
    return { ...outcome, session: start.state.parameters.session, serverComputeMs }
  } catch (error) {
    if (error instanceof MsflError && error.code === 'PROTOCOL') {
      const session = start.state.parameters.session
      const reason = error.message
      await collect(
        new Map(start.state.ids.map((id) => [id, { type: 'secagg-abort', session, reason }])),
      )
    }
    throw error
  }
}
