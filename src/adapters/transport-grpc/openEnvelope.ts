import { MsflError } from '../../core/errors/msflError.ts'
import { decodeMessage } from '../../core/wire/decodeMessage.ts'
import type { FreshnessCheck } from './createFreshnessCheck.ts'
import { decodeEnvelope, type Envelope } from './envelope.ts'
import { envelopeSignatureValid } from './envelopeSignature.ts'
import type { PeerIdentity } from './peerIdentity.ts'

/** An envelope that passed every check, with its decoded body; or why it was refused. */
export type OpenedEnvelope =
  | { readonly envelope: Envelope; readonly body: unknown }
  | { readonly refused: string }

/** What the receiver checks an envelope against. */
export interface EnvelopeReceiver {
  /** The run this stream belongs to. */
  readonly run: string
  readonly freshness: FreshnessCheck
  /** Largest envelope, and largest body, accepted. */
  readonly maxBytes: number
}

/**
 * The receiver's checks, cheapest first and in an order that lets no unauthenticated
 * envelope change state: the codec and schema, the sender against the peer's certificate
 * CN, the run, the signature under the certificate's key, and only then freshness (which
 * remembers the id, so a forged envelope cannot burn an id), then the body's codec and its
 * round. Nothing here throws on hostile input; the reason is returned for the refusal log.
 */
export function openEnvelope(
  data: Uint8Array,
  peer: PeerIdentity,
  receiver: EnvelopeReceiver,
): OpenedEnvelope {
  let envelope: Envelope
  try {
    envelope = decodeEnvelope(data, receiver.maxBytes)
  } catch (error) {
    return { refused: `malformed envelope: ${messageOf(error)}` }
  }
  if (envelope.sender !== peer.name)
    return {
      refused: `envelope sender ${JSON.stringify(envelope.sender)} is not the certificate's name ${JSON.stringify(peer.name)}`,
    }
  if (envelope.run !== receiver.run)
    return {
      refused: `envelope of run ${JSON.stringify(envelope.run)}, this stream serves ${JSON.stringify(receiver.run)}`,
    }
  if (!envelopeSignatureValid(envelope, peer.publicKey))
    return {
      refused: `bad signature: the ${envelope.kind} ${envelope.id} does not verify under ${peer.name}'s certificate key`,
    }
  const stale = receiver.freshness.refuse(
    envelope.sender,
    envelope.kind,
    envelope.id,
    envelope.timestamp,
  )
  if (stale) return { refused: stale }
  let body: unknown
  try {
    body = decodeMessage(envelope.payload, { maxBytes: receiver.maxBytes })
  } catch (error) {
    return { refused: `malformed payload of ${envelope.kind} ${envelope.id}: ${messageOf(error)}` }
  }
  const round = (body as { round?: unknown } | null)?.round
  if (
    envelope.kind === 'request' &&
    typeof round === 'number' &&
    round > 0 &&
    round !== envelope.round
  )
    return {
      refused: `request ${envelope.id}: envelope round ${envelope.round}, payload round ${round}`,
    }
  return { envelope, body }
}

function messageOf(error: unknown): string {
  return error instanceof MsflError || error instanceof Error ? error.message : String(error)
}
