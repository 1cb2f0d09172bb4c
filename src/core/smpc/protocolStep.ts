/**
 * The verifier protocol is written as generators: a sub-protocol yields the share it
 * wants opened and resumes with the opened value (the sum, or for bits the XOR, of
 * every node's share). The node's state machine (createVerifierNode.ts) moves the
 * yielded shares between nodes, so the protocol code stays pure and reads top to
 * bottom, and a test can drive k generators in lockstep without any transport.
 */

/** Why a value is opened; peers check it against the plan, docs list what each reveals. */
export type OpeningPhase =
  | 'beaver-inputs'
  | 'beaver-labels'
  | 'mask'
  | 'borrow'
  | 'block-and'
  | 'dabit'
  | 'count'
  | 'aggregate'

/** One opening: ring shares are interleaved 32-bit limbs (ring64.ts), bit shares packed words. */
export interface Opening {
  readonly phase: OpeningPhase
  readonly kind: 'ring' | 'bits'
  readonly share: Uint32Array
}

/** A (sub-)protocol run by one node, returning T once its openings are done. */
export type ProtocolRun<T> = Generator<Opening, T, Uint32Array>

/** Who this node is among the verifiers: party 0 is the one that adds public constants. */
export interface Party {
  readonly index: number
  readonly parties: number
}
