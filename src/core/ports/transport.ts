import type { DeploymentMessage } from '../deploy/deploymentMessages.ts'
import type { MsflDeploymentMessage } from '../deploy/msflDeploymentMessages.ts'
import type { PaymentMessage } from '../deploy/paymentMessages.ts'
import type { ServerMessage } from '../fl/messages.ts'
import type { OwnerInboxMessage, RequestorInboxMessage } from '../msfl/msflMessages.ts'
import type { KeyHolderRequest } from '../privacy/keyHolderMessages.ts'
import type { ScalingInboxMessage } from '../scaling/scalingMessages.ts'
import type { ClientInboxMessage } from '../secagg/secaggMessages.ts'
import type { SmpcRequest } from '../smpc/smpcMessages.ts'

/**
 * Every message one participant sends another as a request. Replies stay `unknown`:
 * they come from a peer that is not trusted, so the receiver parses them with the
 * protocol's schema before looking at them.
 */
export type ProtocolMessage =
  | ServerMessage
  | ClientInboxMessage
  | SmpcRequest
  | RequestorInboxMessage
  | OwnerInboxMessage
  | ScalingInboxMessage
  | KeyHolderRequest
  | DeploymentMessage
  | MsflDeploymentMessage
  | PaymentMessage

/** How long a request may take, and how the caller can give up on it earlier. */
export interface RequestOptions {
  /**
   * Milliseconds from the call: a reply that has not arrived by then is not awaited;
   * the request rejects with MsflError('DEADLINE').
   */
  readonly deadlineMs: number
  /** Aborting rejects the request with MsflError('DEADLINE') at once. */
  readonly signal?: AbortSignal
}

/**
 * The only way participants talk. `request` sends one message to a node and
 * resolves with its reply; implementations (in-memory, worker threads, gRPC) move
 * bytes produced by the wire codec, so protocol code never knows which one it runs
 * on. Every request ends: with a reply, or with an MsflError ('DEADLINE' when the
 * peer did not answer in time, 'TRANSPORT' when it could not be reached).
 *
 * Example: a transport over HTTP on the loopback interface, plugged into `runSimulation`
 * (`examples/library/customTransport.ts`, compiled and run by the package test):
 *
 * {@includeCode ../../../examples/library/customTransport.ts}
 */
export interface Transport {
  /** Sends `message` to node `to` and resolves with its reply, or rejects (see above). */
  request(to: string, message: ProtocolMessage, options: RequestOptions): Promise<unknown>
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
