import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { createProtection } from '../../src/cli/privacy/createProtection.ts'
import type { FitInstruction } from '../../src/core/fl/messages.ts'
import type { MessageHandler, ProtocolMessage, Transport } from '../../src/core/ports/transport.ts'
import { createKeyHolder } from '../../src/core/privacy/createKeyHolder.ts'
import { KEY_HOLDER_ID } from '../../src/core/privacy/keyHolderMessages.ts'
import { isHiding, parsePrivacySpec } from '../../src/core/privacy/parsePrivacySpec.ts'
import type { OpenedProtection } from '../../src/runtime/privacy/updateProtection.ts'
import { reachableObjects } from './reachableObjects.ts'

const codeRoot = new URL('../../src/', import.meta.url).href
const LENGTH = 20
const ROUNDS = 2

/** The real composition of `--privacy <spec>` for three owners and two rounds. */
function open(spec: 'ckks' | 'paillier', minContributors = 2): Promise<OpenedProtection> {
  return createProtection(parsePrivacySpec(spec).find(isHiding)!, {
    runId: 'key-holder-test',
    clients: ['do-0', 'do-1', 'do-2'],
    rounds: ROUNDS,
    minContributors,
    referenceExamples: 10,
    dropsOut: () => false,
  })
}

const close = async ({ protection, participants }: OpenedProtection) => {
  await protection.dispose()
  for (const participant of participants) await participant.dispose()
}

/** Owner `i`'s update Δᵢ; it trained on 10 examples. */
const delta = (i: number) =>
  Float64Array.from({ length: LENGTH }, (_, j) => 0.01 * (i + 1) * (j - 7))

/** Owner i's protected fit reply for `round`, through the protection's client wrapper. */
async function protectedReply(opened: OpenedProtection, i: number, round: number) {
  const clientId = `do-${i}`
  const trained: MessageHandler = {
    handle: async (message) => ({
      type: 'fit-result',
      round,
      clientId,
      kind: 'params',
      vector: (message as FitInstruction).params.map((v, j) => v + delta(i)[j]!),
      numExamples: 10,
      trainLoss: 0.5,
    }),
  }
  const instruction: FitInstruction = {
    type: 'fit',
    runId: 'key-holder-test',
    round,
    mode: 'params',
    params: new Float64Array(LENGTH),
    training: { epochs: 1, batchSize: 8, learningRate: 0.1, momentum: 0 },
  }
  return {
    clientId,
    reply: await opened.protection.wrapClient(clientId, trained).handle(instruction),
  }
}

/** The memory transport with the key holder registered, recording what the server sends. */
function keyHolderTransport(opened: OpenedProtection) {
  const inner = createMemoryTransport({
    handlers: new Map(opened.participants.map((p) => [p.id, p.handler])),
  })
  const sent: { to: string; message: ProtocolMessage }[] = []
  const transport: Transport = {
    request(to, message, options) {
      sent.push({ to, message })
      return inner.request(to, message, options)
    },
    stats: () => inner.stats(),
  }
  return { transport, sent }
}

/** What a key holder says to a request sent straight to it, as a malicious server would. */
const ask = (opened: OpenedProtection, message: unknown) =>
  opened.participants[0]!.handler.handle(message) as Promise<{ type: string; message?: string }>

const aggregate = (
  opened: OpenedProtection,
  transport: Transport,
  round: number,
  replies: never[],
) =>
  opened.protection.aggregate(
    { round, params: new Float64Array(LENGTH), replies, deadlineMs: 60_000 },
    transport,
  )

for (const spec of ['ckks', 'paillier'] as const) {
  describe(`--privacy ${spec}: the key holder is a participant apart from the server`, () => {
    it('the server stage reaches no decryptor and no secret key; the key holder does', {
      timeout: 120_000,
    }, async () => {
      const opened = await open(spec)
      try {
        assert.deepEqual(
          opened.participants.map((p) => p.id),
          [KEY_HOLDER_ID],
        )
        const secretNames = ['decrypt', 'decryptPacked', 'decryptor', 'secret']
        const holdsSecret = (o: { properties: readonly string[] }) =>
          o.properties.some((name) => secretNames.includes(name))
        // Positive control: the same walk finds the decryptor behind the key holder's handler.
        const keyHolder = reachableObjects(opened.participants[0], { codeRoot, pick: holdsSecret })
        assert.ok(keyHolder.picked.length >= 1, 'the walk found no decryptor behind the key holder')
        const server = reachableObjects(opened.protection, {
          codeRoot,
          forbidden: keyHolder.picked,
        })
        assert.ok(server.objects.length > 100, `only ${server.objects.length} objects walked`)
        assert.equal(server.forbiddenReached, 0, 'the server stage reaches a key holder object')
        assert.deepEqual(
          server.objects
            .filter(holdsSecret)
            .map((o) => o.properties.filter((n) => secretNames.includes(n))),
          [],
        )
      } finally {
        await close(opened)
      }
    })

    it("the server's only path to the sum is one key-holder request; without it, no plaintext", {
      timeout: 120_000,
    }, async () => {
      const opened = await open(spec)
      try {
        const replies = [
          await protectedReply(opened, 0, 1),
          await protectedReply(opened, 1, 1),
          await protectedReply(opened, 2, 1),
        ] as never[]
        // No key holder on the transport: the server stage cannot produce the sum.
        const nobody = createMemoryTransport({ handlers: new Map() })
        await assert.rejects(
          aggregate(opened, nobody, 1, replies),
          /no participant named "key-holder"/,
        )
        const { transport, sent } = keyHolderTransport(opened)
        const result = await aggregate(opened, transport, 1, replies)
        assert.deepEqual(
          sent.map(({ to, message }) => [
            to,
            message.type,
            (message as { contributors?: number }).contributors,
          ]),
          [[KEY_HOLDER_ID, 'key-holder-decrypt', 3]],
        )
        assert.equal(result.examples, 30)
        for (let j = 0; j < LENGTH; j++) {
          const expected = 10 * (delta(0)[j]! + delta(1)[j]! + delta(2)[j]!)
          assert.ok(Math.abs(result.weightedSum[j]! - expected) < 1e-3, `value ${j}`)
        }
      } finally {
        await close(opened)
      }
    })

    it('the key holder refuses a sum of one owner, a second decryption of a round and a later round', {
      timeout: 120_000,
    }, async () => {
      const opened = await open(spec)
      try {
        const { transport } = keyHolderTransport(opened)
        // One valid reply and one malformed: the server sums a single owner and asks.
        const lone = [
          await protectedReply(opened, 0, 1),
          { clientId: 'do-1', reply: { type: 'fit-protected' } },
        ] as never[]
        await assert.rejects(
          aggregate(opened, transport, 1, lone),
          /the key holder refused: round 1: 1 encrypted update\(s\) summed; decrypting fewer than 2/,
        )
        const two = [
          await protectedReply(opened, 0, 1),
          await protectedReply(opened, 1, 1),
        ] as never[]
        await aggregate(opened, transport, 1, two)
        await assert.rejects(aggregate(opened, transport, 1, two), /already decrypted round 1/)
        const request = {
          type: 'key-holder-decrypt',
          round: ROUNDS + 1,
          length: LENGTH,
          contributors: 2,
          sum: [new Uint8Array(8)],
        }
        assert.match((await ask(opened, request)).message!, /the job has 2 rounds/)
        assert.match(
          (await ask(opened, { ...request, contributors: undefined })).message!,
          /key-holder-decrypt\.contributors: /,
        )
      } finally {
        await close(opened)
      }
    })
  })
}

describe('--privacy paillier: a server that lies about the contributor count', () => {
  it('is caught by the plaintext’s own counter: one owner claimed as two is refused', {
    timeout: 120_000,
  }, async () => {
    const opened = await open('paillier')
    try {
      const { reply } = await protectedReply(opened, 0, 1)
      const [ciphertext] = (reply as { payload: Uint8Array[] }).payload
      const answer = await ask(opened, {
        type: 'key-holder-decrypt',
        round: 1,
        length: LENGTH,
        contributors: 2,
        sum: [ciphertext],
      })
      assert.equal(answer.type, 'error')
      assert.match(answer.message!, /the decrypted sum counts 1 updates, the server claims 2/)
      assert.equal((answer as { values?: unknown }).values, undefined)
    } finally {
      await close(opened)
    }
  })
})

describe('the key holder’s minimum follows client-level DP’s t', () => {
  it('with min=3 (distributed noise) a sum of two owners is refused, of three released', {
    timeout: 120_000,
  }, async () => {
    const opened = await open('paillier', 3)
    try {
      const { transport } = keyHolderTransport(opened)
      const replies = [
        await protectedReply(opened, 0, 1),
        await protectedReply(opened, 1, 1),
        await protectedReply(opened, 2, 1),
      ] as never[]
      await assert.rejects(
        aggregate(opened, transport, 1, replies.slice(0, 2) as never[]),
        /2 encrypted update\(s\) summed; decrypting fewer than 3/,
      )
      assert.equal((await aggregate(opened, transport, 1, replies)).contributors.length, 3)
    } finally {
      await close(opened)
    }
  })

  it('a key holder with a minimum below 2 is not built', () => {
    assert.throws(
      () =>
        createKeyHolder({
          minContributors: 1,
          rounds: 1,
          decrypt: () => ({ values: new Float64Array(1) }),
        }),
      /minContributors must be an integer ≥ 2, got 1/,
    )
  })
})
