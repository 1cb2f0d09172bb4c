import { MsflError } from '../../core/errors/msflError.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import type { MessageHandler, Transport } from '../../core/ports/transport.ts'
import { createSecaggClient } from '../../core/secagg/createSecaggClient.ts'
import {
  type RunSecureAggregationParameters,
  runSecureAggregation,
  type SecureAggregationResult,
} from './runSecureAggregation.ts'
import { type DropoutPlan, withDropout } from './withDropout.ts'

export interface SimulateSecureAggregationParameters
  extends Omit<RunSecureAggregationParameters, 'transport' | 'clients' | 'dimension' | 'crypto'> {
  /** Each client's input (all of one length); the map's order fixes the client indices. */
  readonly inputs: ReadonlyMap<string, Float64Array>
  /** Used by every client and by the server. */
  readonly crypto: SecaggCrypto
  /** Clients that vanish once keys are shared (before sending a masked input). */
  readonly dropAfterKeySharing?: readonly string[]
  /** How they vanish (default `disconnect`; `silent` waits out the stage timeout). */
  readonly dropoutMode?: DropoutPlan['mode']
  /** Other dropouts, at any stage. */
  readonly dropouts?: ReadonlyMap<string, DropoutPlan>
  /** The transport over the clients' handlers, e.g. adapters/transport/createMemoryTransport. */
  readonly makeTransport: (handlers: ReadonlyMap<string, MessageHandler>) => Transport
  /** Wraps each client's handler (to time or record it). */
  readonly wrapClient?: (clientId: string, handler: MessageHandler) => MessageHandler
}

/**
 * One secure-aggregation round in simulation: a createSecaggClient handler per input,
 * the planned dropouts, a transport built by the caller, and the server's driver.
 */
export async function simulateSecureAggregation(
  p: SimulateSecureAggregationParameters,
): Promise<SecureAggregationResult> {
  const clients = [...p.inputs.keys()]
  const dimension = p.inputs.values().next().value?.length ?? 0
  const plans = new Map(p.dropouts ?? [])
  for (const id of p.dropAfterKeySharing ?? []) {
    if (!p.inputs.has(id))
      throw new MsflError(
        'CONFIG_INVALID',
        `dropAfterKeySharing names ${JSON.stringify(id)}, who has no input`,
      )
    plans.set(id, { from: 'masked-input', mode: p.dropoutMode ?? 'disconnect' })
  }
  const handlers = new Map<string, MessageHandler>()
  for (const [clientId, input] of p.inputs) {
    if (input.length !== dimension)
      throw new MsflError(
        'CONFIG_INVALID',
        `input of ${JSON.stringify(clientId)} has ${input.length} values, expected ${dimension}`,
      )
    let handler = createSecaggClient({ clientId, crypto: p.crypto, input: () => input })
    const plan = plans.get(clientId)
    if (plan) handler = withDropout(clientId, handler, plan)
    handlers.set(clientId, p.wrapClient ? p.wrapClient(clientId, handler) : handler)
  }
  return runSecureAggregation({
    ...p,
    clients,
    dimension,
    transport: p.makeTransport(handlers),
  })
}
