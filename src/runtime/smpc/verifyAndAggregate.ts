import { MsflError } from '../../core/errors/msflError.ts'
import type { ModelSpec } from '../../core/model/model.ts'
import type { MessageHandler, Transport } from '../../core/ports/transport.ts'
import type { Rng } from '../../core/rng/rng.ts'
import { shareRing } from '../../core/smpc/additiveSharing.ts'
import { assertShareRng } from '../../core/smpc/assertShareRng.ts'
import { createDealer } from '../../core/smpc/createDealer.ts'
import { createVerifierNode } from '../../core/smpc/createVerifierNode.ts'
import {
  checkFractionBits,
  DEFAULT_FRACTION_BITS,
  encodeFixedPoint,
} from '../../core/smpc/fixedPoint.ts'
import { majorityOutcome } from '../../core/smpc/majorityOutcome.ts'
import { ringToWire } from '../../core/smpc/ring64.ts'
import { shareValidationData } from '../../core/smpc/shareValidationData.ts'
import {
  ackSchema,
  parseSmpcMessage,
  type SetupMessage,
  type SmpcRequest,
  setupSchema,
} from '../../core/smpc/smpcMessages.ts'
import { sessionFromSetup } from '../../core/smpc/verifierSession.ts'
import { DEFAULT_DEADLINE_MS } from '../rounds/runRounds.ts'
import { createSmpcHandler } from './createSmpcHandler.ts'
import { stepVerifierNodes } from './stepVerifierNodes.ts'
import { type SmpcVerificationResult, summariseVerification } from './summariseVerification.ts'

/** One data owner's model submitted for SMPC verification. */
export interface SmpcModelInput {
  readonly clientId: string
  readonly params: Float64Array
  /** Public FedAvg weight. */
  readonly numExamples: number
}

/**
 * Everything `verifyAndAggregate` needs: the submitted models, the validation data, the verifier
 * nodes and their transport.
 */
export interface VerifyAndAggregateParameters {
  readonly models: readonly SmpcModelInput[]
  /** softmax or logistic; MLP and linear regression are refused (see docs/smpc-verification.md). */
  readonly model: ModelSpec
  readonly validation: {
    readonly x: Float32Array
    readonly y: Float64Array
    readonly n: number
    readonly d: number
    readonly numClasses: number
  }
  /** 'public' (default): every node holds the validation set. 'secret': its owner secret-shares it. */
  readonly validationVisibility?: 'public' | 'secret'
  /** Minimum accuracy in [0, 1] for a model to be aggregated. */
  readonly threshold: number
  /** A model more than this below the round's median accuracy is excluded too (default 0: off). */
  readonly drop?: number
  /** Verifier nodes k ≥ 2 (default 3; a majority vote needs ≥ 3 to outvote anyone). */
  readonly nodes?: number
  readonly fractionBits?: number
  /** Shares, masks and triples (a CSPRNG unless `simulation`). */
  readonly rng: Rng
  readonly simulation?: boolean
  readonly session?: string
  /** Builds one participant's transport to the handlers (each participant gets its own, for byte counts). */
  readonly makeTransport: (handlers: ReadonlyMap<string, MessageHandler>) => Transport
  /** How long a node or the dealer may take to answer one message (default ten minutes). */
  readonly deadlineMs?: number
  /** Lets tests and benchmarks observe or alter a node. */
  readonly wrapNode?: (nodeId: string, handler: MessageHandler) => MessageHandler
  /**
   * The verifier nodes are processes of their own that `makeTransport`'s transports reach
   * (a deployment): no node is made here, only the dealer is handed to `makeTransport`.
   */
  readonly remoteNodes?: boolean
}

const DEALER = 'smpc-dealer'
const COORDINATOR = 'smpc-coordinator'
const DATA_OWNER = 'validation-owner'

/**
 * One SMPC verification round over a transport: k verifier nodes and a dealer run as
 * MessageHandlers; the coordinator (this function) sends the public setup, asks the
 * dealer to deal, lets every model owner share its model with every node, then steps
 * the nodes through the protocol until each reports. The agreed outcome is the
 * majority's; the aggregate is the FedAvg of the models that passed.
 */
export async function verifyAndAggregate(
  p: VerifyAndAggregateParameters,
): Promise<SmpcVerificationResult> {
  const { setup, nodeIds, kind, outputDim, fractionBits } = checkParameters(p)
  const visibility = p.validationVisibility ?? 'public'
  const session =
    p.session ?? `smpc-${p.rng.nextInt(2 ** 32).toString(16)}${p.rng.nextInt(2 ** 32).toString(16)}`

  const deadlineMs = p.deadlineMs ?? DEFAULT_DEADLINE_MS
  const transports = new Map<string, Transport>()
  const transportOf = (participant: string) => () => transports.get(participant)!
  const handlers = new Map<string, MessageHandler>()
  for (const id of p.remoteNodes ? [] : nodeIds) {
    const handler = createSmpcHandler(createVerifierNode(id), id, transportOf(id), deadlineMs)
    handlers.set(id, p.wrapNode ? p.wrapNode(id, handler) : handler)
  }
  const dealer = createDealer({ rng: p.rng, ...(p.simulation ? { simulation: true } : {}) })
  handlers.set(DEALER, createSmpcHandler(dealer, DEALER, transportOf(DEALER), deadlineMs))
  const owners = p.models.map((m) => `owner:${m.clientId}`)
  const dataOwner = visibility === 'secret' ? [DATA_OWNER] : []
  const nodeParticipants = p.remoteNodes ? [] : nodeIds
  for (const participant of [...nodeParticipants, DEALER, COORDINATOR, ...dataOwner, ...owners])
    transports.set(participant, p.makeTransport(handlers))
  const coordinator = transports.get(COORDINATOR)!

  let validation: SetupMessage['validation']
  let dataShares: ReturnType<typeof shareValidationData> | undefined
  if (visibility === 'secret') {
    dataShares = shareValidationData({
      x: p.validation.x,
      y: p.validation.y,
      d: p.validation.d,
      kind,
      outputDim,
      fractionBits,
      parties: nodeIds.length,
      rng: p.rng,
    })
    validation = { mode: 'secret', samples: p.validation.n, rowBound: dataShares.rowBound }
  } else {
    validation = { mode: 'public', samples: p.validation.n, x: p.validation.x, y: p.validation.y }
  }
  const setups = nodeIds.map((_, nodeIndex) => ({ ...setup, session, nodeIndex, validation }))
  // The coordinator derives the session like any node: a bad configuration fails here,
  // before anyone is contacted, and gives the weight bound for the report.
  const derived = sessionFromSetup(
    parseSmpcMessage(setupSchema, setups[0], 'coordinator'),
    nodeIds[0]!,
  )
  /** Sends one message and insists on an acknowledgement. */
  const deliver = async (from: Transport, to: string, message: SmpcRequest) =>
    parseSmpcMessage(ackSchema, await from.request(to, message, { deadlineMs }), `reply of ${to}`)

  await Promise.all(setups.map((setup, i) => deliver(coordinator, nodeIds[i]!, setup)))
  const shape = { ...derived.plan.shape }
  await Promise.all([
    deliver(coordinator, DEALER, { type: 'smpc-deal', session, nodes: nodeIds, shape }),
    ...p.models.map(async (m, index) => {
      const shares = shareRing(encodeFixedPoint(m.params, fractionBits), nodeIds.length, p.rng)
      const owner = transports.get(owners[index]!)!
      await Promise.all(
        nodeIds.map((id, i) =>
          deliver(owner, id, {
            type: 'smpc-model-share',
            session,
            clientId: m.clientId,
            share: ringToWire(shares[i]!),
          }),
        ),
      )
    }),
    ...(dataShares
      ? nodeIds.map((id, i) =>
          deliver(transports.get(DATA_OWNER)!, id, {
            type: 'smpc-data-share',
            session,
            x: ringToWire(dataShares.shares[i]!.x),
            labels: ringToWire(dataShares.shares[i]!.labels),
          }),
        )
      : []),
  ])

  const reports = await stepVerifierNodes(
    coordinator,
    nodeIds,
    session,
    derived.plan.openings.length,
    deadlineMs,
  )
  const verdict = majorityOutcome(nodeIds, reports)
  return summariseVerification({
    session,
    verdict,
    nodeIds,
    models: p.models,
    plan: derived.plan,
    threshold: p.threshold,
    drop: p.drop ?? 0,
    fractionBits,
    weightBoundBits: derived.weightBoundBits,
    traffic: [...transports].map(([participant, t]) => ({
      participant,
      role: nodeIds.includes(participant)
        ? ('node' as const)
        : participant === DEALER
          ? ('dealer' as const)
          : participant === COORDINATOR
            ? ('coordinator' as const)
            : ('owner' as const),
      ...t.stats(),
    })),
  })
}

/** The verifier nodes' ids, `verifier-1` … `verifier-k`: in a deployment, their kits' names. */
export function verifierNodeIds(nodes: number): string[] {
  return Array.from({ length: nodes }, (_, i) => `verifier-${i + 1}`)
}

function checkParameters(p: VerifyAndAggregateParameters) {
  const spec = p.model
  if (spec.kind === 'mlp')
    throw new MsflError(
      'CONFIG_INVALID',
      'SMPC verification supports softmax and logistic models only: an MLP needs a secure ReLU and a fixed-point truncation after every layer, which this protocol does not implement',
    )
  if (spec.kind !== 'softmax' && spec.kind !== 'logistic')
    throw new MsflError(
      'CONFIG_INVALID',
      `SMPC verification checks classification accuracy; a ${spec.kind} model has none (use softmax or logistic)`,
    )
  assertShareRng(p.rng, p.simulation, 'SMPC verification')
  const fractionBits = p.fractionBits ?? DEFAULT_FRACTION_BITS
  checkFractionBits(fractionBits)
  const nodes = p.nodes ?? 3
  if (!Number.isInteger(nodes) || nodes < 2 || nodes > 16)
    throw new MsflError('CONFIG_INVALID', `SMPC verification needs 2..16 nodes, got ${nodes}`)
  if (!(p.threshold >= 0 && p.threshold <= 1))
    throw new MsflError(
      'CONFIG_INVALID',
      `accuracy threshold must be in [0, 1], got ${p.threshold}`,
    )
  if (p.models.length === 0) throw new MsflError('CONFIG_INVALID', 'no models to verify')
  const { x, y, n, d } = p.validation
  if (!Number.isInteger(n) || n < 1 || x.length !== n * d || y.length !== n)
    throw new MsflError(
      'DATA_FORMAT',
      `validation data of ${x.length} features and ${y.length} labels does not fit ${n} × ${d}`,
    )
  const kind = spec.kind
  const outputDim = kind === 'softmax' ? spec.outputDim : 1
  if (p.validation.d !== spec.inputDim)
    throw new MsflError(
      'MODEL_INVALID',
      `validation data has d = ${p.validation.d} but the model expects inputDim ${spec.inputDim}`,
    )
  if (kind === 'softmax' && p.validation.numClasses !== outputDim)
    throw new MsflError(
      'MODEL_INVALID',
      `validation data has ${p.validation.numClasses} classes, the model ${outputDim}`,
    )
  const paramCount = (spec.inputDim + 1) * outputDim
  for (const m of p.models) {
    if (m.params.length !== paramCount)
      throw new MsflError(
        'MODEL_INVALID',
        `model of ${m.clientId} has ${m.params.length} parameters, expected ${paramCount}`,
      )
    if (!Number.isInteger(m.numExamples) || m.numExamples < 1)
      throw new MsflError(
        'CONFIG_INVALID',
        `numExamples of ${m.clientId} must be a positive integer`,
      )
  }
  const nodeIds = verifierNodeIds(nodes)
  const setup = {
    type: 'smpc-setup' as const,
    nodes: nodeIds,
    model: { kind, inputDim: spec.inputDim, outputDim },
    fractionBits,
    threshold: p.threshold,
    drop: p.drop ?? 0,
    models: p.models.map((m) => ({ clientId: m.clientId, numExamples: m.numExamples })),
  }
  return { setup, nodeIds, kind, outputDim, fractionBits }
}
