/**
 * The only way participants talk. `request` sends one message to a node and
 * resolves with its reply; implementations (in-memory, gRPC) move bytes produced by
 * the wire codec, so protocol code never knows which one it runs on.
 */
export interface Transport {
  request(to: string, message: unknown): Promise<unknown>
  /** Bytes moved so far in each direction (for reports and benchmarks). */
  stats(): TransportStats
}

export interface TransportStats {
  readonly requests: number
  readonly bytesSent: number
  readonly bytesReceived: number
}

/** A participant's side: receives one decoded message, returns its reply. */
export interface MessageHandler {
  handle(message: unknown): Promise<unknown>
}
