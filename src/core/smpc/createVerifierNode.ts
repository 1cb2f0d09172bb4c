import { MsflError } from '../errors/msflError.ts'
import { reconstructBits, reconstructRing } from './additiveSharing.ts'
import { materialFromMessage } from './materialMessage.ts'
import type { NodeMaterial } from './nodeMaterial.ts'
import type { Opening, ProtocolRun } from './protocolStep.ts'
import { type RingVector, ringFromWire, ringToWire } from './ring64.ts'
import { runVerifierProtocol, type VerifierOutcome } from './runVerifierProtocol.ts'
import {
  advanceSchema,
  dataShareSchema,
  materialSchema,
  modelShareSchema,
  type OpenMessage,
  openSchema,
  parseSmpcMessage,
  type ResultMessage,
  setupSchema,
} from './smpcMessages.ts'
import type { SecretValidation } from './verifierInputs.ts'
import { sessionFromSetup, type VerifierSession } from './verifierSession.ts'

export interface VerifierNodeStep {
  /** The reply to the message just handled. */
  readonly reply: unknown
  /** Shares this node must push to its peers before replying (one smpc-open each). */
  readonly sends: readonly { readonly to: string; readonly message: OpenMessage }[]
}

/** One verifier node as a state machine over plain messages (see smpcMessages.ts). */
export interface VerifierNode {
  readonly nodeId: string
  /**
   * Handles one message. Anything malformed, out of order or from an unknown sender is
   * rejected with MsflError('PROTOCOL') before any state changes, so the session goes on
   * as if the message had never arrived.
   */
  receive(message: unknown): VerifierNodeStep
}

interface NodeState {
  readonly session: VerifierSession
  readonly modelShares: Map<string, RingVector>
  material?: NodeMaterial
  data?: SecretValidation
  run?: ProtocolRun<VerifierOutcome>
  /** The step the next smpc-advance must carry. */
  nextStep: number
  /** This node's own share of opening nextStep − 1. */
  pending?: Opening
  readonly inbox: Map<number, Map<string, Uint32Array>>
  status: 'collecting' | 'running' | 'done' | 'failed'
  failure?: string
}

export function createVerifierNode(nodeId: string): VerifierNode {
  let state: NodeState | undefined
  const none: VerifierNodeStep['sends'] = []
  const fail = (why: string): never => {
    throw new MsflError('PROTOCOL', `${nodeId}: ${why}`)
  }
  const ack = (session: string): VerifierNodeStep => ({
    reply: { type: 'smpc-ack', session },
    sends: none,
  })

  /** The live state for `session`, which must be collecting inputs (or also running). */
  const live = (session: string, allowRunning: boolean): NodeState => {
    if (!state) return fail(`no session set up (got a message for ${JSON.stringify(session)})`)
    if (state.session.setup.session !== session)
      fail(`message for session ${JSON.stringify(session)}, not the current one`)
    const s = state as NodeState
    if (s.status === 'failed') fail(`session failed earlier: ${s.failure}`)
    if (s.status === 'done') fail('session already finished')
    if (s.status === 'running' && !allowRunning) fail('inputs arrived after the protocol started')
    return s
  }

  const handlers: Record<string, (message: unknown) => VerifierNodeStep> = {
    'smpc-setup'(message) {
      const setup = parseSmpcMessage(setupSchema, message, nodeId)
      if (state && (state.status === 'collecting' || state.status === 'running'))
        fail(`session ${JSON.stringify(state.session.setup.session)} is still in progress`)
      const session = sessionFromSetup(setup, nodeId)
      state = {
        session,
        modelShares: new Map(),
        nextStep: 0,
        inbox: new Map(),
        status: 'collecting',
      }
      return ack(setup.session)
    },
    'smpc-model-share'(message) {
      const m = parseSmpcMessage(modelShareSchema, message, nodeId)
      const s = live(m.session, false)
      if (!s.session.setup.models.some((x) => x.clientId === m.clientId))
        fail(`model share from ${JSON.stringify(m.clientId)}, who is not in this session`)
      if (s.modelShares.has(m.clientId)) fail(`second model share from ${m.clientId}`)
      const words = 2 * s.session.plan.paramsPerModel
      if (m.share.length !== words)
        fail(`model share from ${m.clientId} has ${m.share.length} words, expected ${words}`)
      s.modelShares.set(m.clientId, ringFromWire(m.share.slice()))
      return ack(m.session)
    },
    'smpc-material'(message) {
      const m = parseSmpcMessage(materialSchema, message, nodeId)
      const s = live(m.session, false)
      if (s.material) fail('second smpc-material for this session')
      s.material = materialFromMessage(m, s.session.plan, nodeId)
      return ack(m.session)
    },
    'smpc-data-share'(message) {
      const m = parseSmpcMessage(dataShareSchema, message, nodeId)
      const s = live(m.session, false)
      const { samples: n, inputDim: d, outputDim: k, validation } = s.session.plan.shape
      if (validation !== 'secret') fail('data shares for a session with public validation data')
      if (s.data) fail('second smpc-data-share for this session')
      if (m.x.length !== 2 * n * d || m.labels.length !== 2 * n * k)
        fail(`data shares of ${m.x.length} and ${m.labels.length} words do not fit ${n} × ${d}`)
      s.data = {
        mode: 'secret',
        x: ringFromWire(m.x.slice()),
        labels: ringFromWire(m.labels.slice()),
      }
      return ack(m.session)
    },
    'smpc-open'(message) {
      const m = parseSmpcMessage(openSchema, message, nodeId)
      const s = live(m.session, true)
      const { nodes } = s.session.setup
      if (m.from === nodeId || !nodes.includes(m.from))
        fail(`opening share from ${JSON.stringify(m.from)}, who is not a peer`)
      // A peer may be one step ahead (it handled the same smpc-advance first), never more.
      if (m.step !== s.nextStep && m.step !== s.nextStep - 1)
        fail(`opening ${m.step} from ${m.from} while at step ${s.nextStep}`)
      const slot = s.session.plan.openings[m.step]
      if (!slot) return fail(`opening ${m.step} from ${m.from} is beyond the protocol's end`)
      const words = slot.kind === 'ring' ? 2 * slot.length : slot.length
      if (m.phase !== slot.phase || m.share.length !== words)
        fail(
          `opening ${m.step} from ${m.from} is ${m.phase} with ${m.share.length} words, expected ${slot.phase} with ${words}`,
        )
      const received = s.inbox.get(m.step) ?? new Map<string, Uint32Array>()
      if (received.has(m.from)) fail(`second share of opening ${m.step} from ${m.from}`)
      received.set(m.from, ringFromWire(m.share.slice()))
      s.inbox.set(m.step, received)
      return ack(m.session)
    },
    'smpc-advance'(message) {
      const m = parseSmpcMessage(advanceSchema, message, nodeId)
      const s = live(m.session, true)
      if (m.step !== s.nextStep) fail(`asked for step ${m.step}, expected ${s.nextStep}`)
      return m.step === 0 ? start(s) : resume(s)
    },
  }

  function start(s: NodeState): VerifierNodeStep {
    const { setup, plan } = s.session
    const missing = setup.models.filter((x) => !s.modelShares.has(x.clientId))
    if (missing.length > 0)
      fail(`cannot start: no model share from ${missing.map((x) => x.clientId).join(', ')}`)
    if (!s.material) return fail('cannot start: no material from the dealer')
    const validation = s.session.publicValidation ?? s.data
    if (!validation) return fail('cannot start: no shares of the validation data')
    s.run = runVerifierProtocol({
      party: s.session.party,
      plan,
      fractionBits: setup.fractionBits,
      weightBoundBits: s.session.weightBoundBits,
      threshold: setup.threshold,
      drop: setup.drop,
      numExamples: setup.models.map((x) => x.numExamples),
      modelShares: setup.models.map((x) => s.modelShares.get(x.clientId)!),
      material: s.material,
      validation,
    })
    s.status = 'running'
    return proceed(s, undefined)
  }

  function resume(s: NodeState): VerifierNodeStep {
    const step = s.nextStep - 1
    const received = s.inbox.get(step) ?? new Map<string, Uint32Array>()
    const peers = s.session.setup.nodes.filter((id) => id !== nodeId)
    const missing = peers.filter((id) => !received.has(id))
    if (missing.length > 0)
      fail(`cannot finish opening ${step}: no share from ${missing.join(', ')}`)
    const pending = s.pending!
    const shares = [pending.share, ...peers.map((id) => received.get(id)!)]
    const opened = pending.kind === 'ring' ? reconstructRing(shares) : reconstructBits(shares)
    s.inbox.delete(step)
    return proceed(s, opened)
  }

  function proceed(s: NodeState, opened: Uint32Array | undefined): VerifierNodeStep {
    const { setup, plan } = s.session
    let next: IteratorResult<Opening, VerifierOutcome>
    try {
      next = opened === undefined ? s.run!.next() : s.run!.next(opened)
      if (!next.done) {
        const slot = plan.openings[s.nextStep]
        const words = slot && (slot.kind === 'ring' ? 2 * slot.length : slot.length)
        if (!slot || slot.phase !== next.value.phase || next.value.share.length !== words)
          throw new MsflError('PROTOCOL', `opening ${s.nextStep} does not follow the plan`)
      }
    } catch (error) {
      s.status = 'failed'
      s.failure = error instanceof Error ? error.message : String(error)
      if (error instanceof MsflError) throw error
      throw new MsflError('PROTOCOL', `${nodeId}: protocol failed: ${s.failure}`, { cause: error })
    }
    if (next.done) {
      s.status = 'done'
      // Drop shares and material: nothing of this session is needed any more.
      s.modelShares.clear()
      delete s.material
      delete s.data
      delete s.run
      const outcome = next.value
      const reply: ResultMessage = {
        type: 'smpc-result',
        session: setup.session,
        node: nodeId,
        correct: [...outcome.correct],
        inRange: [...outcome.inRange],
        accepted: [...outcome.accepted],
        aggregate: ringToWire(outcome.aggregate),
      }
      return { reply, sends: none }
    }
    const step = s.nextStep
    s.pending = next.value
    s.nextStep = step + 1
    const share = ringToWire(next.value.share)
    const sends = setup.nodes
      .filter((id) => id !== nodeId)
      .map((to) => ({
        to,
        message: {
          type: 'smpc-open' as const,
          session: setup.session,
          step,
          from: nodeId,
          phase: next.value.phase,
          share,
        },
      }))
    return { reply: { type: 'smpc-progress', session: setup.session, node: nodeId, step }, sends }
  }

  return {
    nodeId,
    receive(message) {
      const type =
        typeof message === 'object' && message !== null && 'type' in message
          ? (message as { type: unknown }).type
          : undefined
      const handler =
        typeof type === 'string' && Object.hasOwn(handlers, type) ? handlers[type] : undefined
      if (!handler) return fail(`unknown message ${JSON.stringify(type ?? typeof message)}`)
      return handler(message)
    },
  }
}
