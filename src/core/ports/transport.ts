/**
 * The only way participants talk. `request` sends one message to a node and
 * resolves with its reply; implementations (in-memory, gRPC) move bytes produced by
 * the wire codec, so protocol code never knows which one it runs on.
 *
 * Example: a transport over HTTP on the loopback interface, plugged into `runSimulation`
 * (`examples/library/customTransport.ts`, compiled and run by the package test):
 *
 * {@includeCode ../../../examples/library/customTransport.ts}
 */
export interface Transport {
  /**
   * Sends `message` to node `to` and resolves with its reply; rejects when it cannot be delivered.
   */
  request(to: string, message: unknown): Promise<unknown>
  /** Bytes moved so far in each direction (for reports and benchmarks). */
  stats(): TransportStats
}

/** Requests made and bytes moved in each direction so far. */
export interface TransportStats {
  readonly requests: number
  readonly bytesSent: number
  readonly bytesReceived: number
}

/** A participant's side: receives one decoded message, returns its reply. */
export interface MessageHandler {
  /** Answers one decoded message; the message is untrusted input and must be validated. */
  handle(message: unknown): Promise<unknown>
}
