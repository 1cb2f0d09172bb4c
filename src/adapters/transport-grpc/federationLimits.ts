import { MsflError } from '../../core/errors/msflError.ts'
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../core/wire/wireFormat.ts'

/**
 * Limits of a federation stream, the same on both sides.
 *
 * Keepalive is HTTP/2 PING, answered by the peer's HTTP/2 layer when its event loop reads
 * the socket. Local training runs inside the participant's handler: while it awaits (a
 * worker thread, native code off the main thread) the loop is free, pings are answered and
 * the stream stays healthy however long the round takes. A handler that blocks the loop
 * answers no ping until it returns. Measured with grpc-js 1.14.7 on Node 20
 * (bench/grpcKeepalive.ts): a handler blocking the loop for 3 s, with pings every 500 ms
 * and a ping timeout of 1 s or 5 s, kept its stream and its reply arrived (no
 * disconnection). The defaults (a ping after 30 s idle, 5 min to answer it) leave a wide
 * margin; a deployment whose training blocks the loop for longer should raise
 * `keepaliveTimeoutMs` above its longest block, or train in a worker.
 */
export interface FederationLimits {
  /** Largest protocol message (codec bytes) either side sends or accepts (default 256 MiB). */
  readonly maxMessageBytes?: number
  /** How far an envelope's timestamp may be from the receiver's clock, and how long ids are remembered (default 60 s). */
  readonly freshnessWindowMs?: number
  /** Idle time before a keepalive ping (default 30 s). */
  readonly keepaliveTimeMs?: number
  /** How long a ping may go unanswered before the connection is dropped (default 5 min). */
  readonly keepaliveTimeoutMs?: number
  /** How long a new stream may take to send its hello (default 30 s). */
  readonly helloTimeoutMs?: number
}

/** Limits with every default filled in. */
export type ResolvedLimits = Required<FederationLimits>

/** Room for the envelope's own fields around the largest payload. */
export const ENVELOPE_OVERHEAD_BYTES = 4096

/** Fills in the defaults and checks every limit is a positive whole number. */
export function resolveLimits(limits: FederationLimits = {}): ResolvedLimits {
  const resolved: ResolvedLimits = {
    maxMessageBytes: limits.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    freshnessWindowMs: limits.freshnessWindowMs ?? 60_000,
    keepaliveTimeMs: limits.keepaliveTimeMs ?? 30_000,
    keepaliveTimeoutMs: limits.keepaliveTimeoutMs ?? 300_000,
    helloTimeoutMs: limits.helloTimeoutMs ?? 30_000,
  }
  for (const [field, value] of Object.entries(resolved))
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new MsflError(
        'CONFIG_INVALID',
        `limits.${field}: expected a positive whole number, got ${value}`,
      )
  // gRPC lengths are signed 32-bit.
  if (resolved.maxMessageBytes + ENVELOPE_OVERHEAD_BYTES > 2 ** 31 - 1)
    throw new MsflError(
      'CONFIG_INVALID',
      `limits.maxMessageBytes: at most ${2 ** 31 - 1 - ENVELOPE_OVERHEAD_BYTES}`,
    )
  return resolved
}

/** grpc-js channel options for these limits (both sides set the same). */
export function channelOptions(limits: ResolvedLimits): Record<string, number> {
  const envelopeBytes = limits.maxMessageBytes + ENVELOPE_OVERHEAD_BYTES
  return {
    'grpc.max_receive_message_length': envelopeBytes,
    'grpc.max_send_message_length': envelopeBytes,
    'grpc.keepalive_time_ms': limits.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': limits.keepaliveTimeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
  }
}
