import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { createDealer } from '../../src/core/smpc/createDealer.ts'
import { createVerifierNode } from '../../src/core/smpc/createVerifierNode.ts'
import { dataset, head, trained, verify } from './smpcFixtures.ts'

const protocolError = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'PROTOCOL' && pattern.test(e.message)
const configError = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'CONFIG_INVALID' && pattern.test(e.message)

async function fixture() {
  const { train, test } = await dataset('digits')
  return {
    validation: head(test, 64),
    models: [{ clientId: 'a', params: trained(train, 1, 1), numExamples: 5 }],
  }
}

type Open = {
  type: 'smpc-open'
  session: string
  step: number
  from: string
  phase: string
  share: Int32Array
}

describe('a malformed peer message is rejected and changes nothing', () => {
  it('rejects every variant with a clear error; the run ends exactly as a clean one', async () => {
    const { validation, models } = await fixture()
    const clean = await verify(validation, models)
    const rejected: string[] = []
    const tamper = (nodeId: string, inner: MessageHandler): MessageHandler => {
      if (nodeId !== 'verifier-2') return inner
      let done = false
      return {
        async handle(message) {
          const m = message as Open
          if (done || m.type !== 'smpc-open' || m.step !== 2 || m.from !== 'verifier-1')
            return inner.handle(message)
          done = true
          const variants: [unknown, RegExp][] = [
            [
              { ...m, share: m.share.subarray(2) },
              /opening 2 from verifier-1 is borrow with \d+ words, expected borrow/,
            ],
            [
              { ...m, share: new Float64Array(m.share.length) },
              /malformed smpc-open message: share: expected an Int32Array/,
            ],
            [{ ...m, from: 'mallory' }, /from "mallory", who is not a peer/],
            [{ ...m, from: 'verifier-2' }, /from "verifier-2", who is not a peer/],
            [{ ...m, session: 'other' }, /not the current one/],
            [{ ...m, step: m.step + 5 }, /opening 7 from verifier-1 while at step [23]/],
            [{ ...m, phase: 'count' }, /is count with/],
            [{ ...m, extra: 1 }, /malformed smpc-open message/],
            [{ ...m, step: -1 }, /malformed smpc-open message: step/],
            [{ type: 'smpc-nope' }, /unknown message "smpc-nope"/],
            ['hello', /unknown message "string"/],
            [null, /unknown message "object"/],
          ]
          for (const [bad, pattern] of variants) {
            await assert.rejects(inner.handle(bad), protocolError(pattern))
            rejected.push(String(pattern))
          }
          const reply = await inner.handle(message)
          // The genuine share, sent twice, is refused the second time.
          await assert.rejects(inner.handle(message), protocolError(/second share of opening 2/))
          rejected.push('duplicate')
          return reply
        },
      }
    }
    const result = await verify(validation, models, { wrapNode: tamper })
    assert.equal(rejected.length, 13)
    assert.deepEqual(result.models, clean.models)
    assert.deepEqual(result.globalParams, clean.globalParams)
    assert.deepEqual(result.outvoted, [])
  })
})

describe('verifier node input checks', () => {
  const setup = {
    type: 'smpc-setup',
    session: 's1',
    nodes: ['n1', 'n2'],
    nodeIndex: 0,
    model: { kind: 'logistic', inputDim: 2, outputDim: 1 },
    fractionBits: 16,
    threshold: 0.5,
    drop: 0,
    models: [{ clientId: 'c', numExamples: 3 }],
    validation: {
      mode: 'public',
      samples: 2,
      x: new Float32Array([0.5, -1, 2, 0.25]),
      y: new Float64Array([1, 0]),
    },
  }

  it('refuses messages before setup, and setups that do not fit', () => {
    const node = createVerifierNode('n1')
    assert.throws(
      () => node.receive({ type: 'smpc-advance', session: 's1', step: 0 }),
      protocolError(/n1: no session set up/),
    )
    assert.throws(() => node.receive({ ...setup, nodeIndex: 1 }), protocolError(/names "n2"/))
    assert.throws(
      () =>
        node.receive({ ...setup, validation: { ...setup.validation, y: new Float64Array([1]) } }),
      protocolError(/1 labels for 2 samples/),
    )
    assert.throws(
      () => node.receive({ ...setup, model: { kind: 'mlp', inputDim: 2, outputDim: 1 } }),
      protocolError(/malformed smpc-setup message: model.kind/),
    )
  })

  it('checks every input against the session and keeps going after a rejection', () => {
    const node = createVerifierNode('n1')
    node.receive(setup)
    const share = (words: number) => ({
      type: 'smpc-model-share',
      session: 's1',
      clientId: 'c',
      share: new Int32Array(words),
    })
    assert.throws(() => node.receive(share(4)), protocolError(/has 4 words, expected 6/))
    assert.throws(
      () => node.receive({ ...share(6), clientId: 'eve' }),
      protocolError(/"eve", who is not in this session/),
    )
    node.receive(share(6))
    assert.throws(() => node.receive(share(6)), protocolError(/second model share from c/))
    assert.throws(
      () => node.receive({ type: 'smpc-advance', session: 's1', step: 1 }),
      protocolError(/asked for step 1, expected 0/),
    )
    assert.throws(
      () => node.receive({ type: 'smpc-advance', session: 's1', step: 0 }),
      protocolError(/cannot start: no material from the dealer/),
    )
    const dealer = createDealer({ rng: createSeededRng(1), simulation: true })
    const dealt = dealer.receive({
      type: 'smpc-deal',
      session: 's1',
      nodes: ['n1', 'n2'],
      shape: {
        kind: 'logistic',
        inputDim: 2,
        outputDim: 1,
        samples: 2,
        models: 1,
        validation: 'public',
      },
    })
    const material = dealt.sends[0]!.message
    assert.throws(
      () => node.receive({ ...material, andA: material.andA.subarray(1) }),
      protocolError(/material andA has \d+ words, the plan needs/),
    )
    node.receive(material)
    const started = node.receive({ type: 'smpc-advance', session: 's1', step: 0 })
    assert.deepEqual(
      started.sends.map((s) => [s.to, s.message.phase, s.message.step]),
      [['n2', 'mask', 0]],
    )
    assert.throws(() => node.receive(share(6)), protocolError(/after the protocol started/))
    assert.throws(
      () => dealer.receive({ type: 'smpc-deal', session: 's1', nodes: ['n1', 'n2'], shape: {} }),
      protocolError(/dealer: malformed smpc-deal message/),
    )
  })
})

describe('configuration refusals', () => {
  it('refuses a seeded Rng for shares outside an explicit simulation', async () => {
    const { validation, models } = await fixture()
    await assert.rejects(
      verify(validation, models, { simulation: false }),
      configError(/secret shares and SMPC masks need a CSPRNG, got a seeded Rng/),
    )
    assert.throws(
      () => createDealer({ rng: createSeededRng(1) }),
      configError(/SMPC dealer: secret shares and SMPC masks need a CSPRNG/),
    )
  })

  it('refuses an MLP and a linear regression with the reason', async () => {
    const { validation, models } = await fixture()
    const spec = { inputDim: 64, outputDim: 10, hidden: [8], l2: 0 }
    await assert.rejects(
      verify(validation, models, { model: { kind: 'mlp', ...spec } }),
      configError(/softmax and logistic models only: an MLP needs a secure ReLU/),
    )
    await assert.rejects(
      verify(validation, models, { model: { kind: 'linear', ...spec, hidden: [], outputDim: 1 } }),
      configError(/a linear model has none/),
    )
  })
})
