import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { majorityOutcome, type NodeReport } from '../../src/core/smpc/majorityOutcome.ts'
import { dataset, head, trained, verify } from './smpcFixtures.ts'

type Result = { type: string; correct: number[]; aggregate: Int32Array }

/** A node that runs the protocol honestly but reports something else at the end. */
function liar(target: string, alter: (result: Result) => Result) {
  return (nodeId: string, inner: MessageHandler): MessageHandler =>
    nodeId !== target
      ? inner
      : {
          async handle(message) {
            const reply = (await inner.handle(message)) as Result
            return reply.type === 'smpc-result' ? alter(reply) : reply
          },
        }
}

async function fixture() {
  const { train, test } = await dataset('breast-cancer')
  const models = [
    { clientId: 'a', params: trained(train, 2, 1), numExamples: 10 },
    { clientId: 'b', params: trained(train, 1, 2), numExamples: 20 },
  ]
  return { validation: head(test, 113), models }
}

describe('majority agreement of the verifier nodes', () => {
  it('outvotes and names a node that reports a different accuracy', async () => {
    const { validation, models } = await fixture()
    const honest = await verify(validation, models)
    const result = await verify(validation, models, {
      wrapNode: liar('verifier-3', (r) => ({
        ...r,
        correct: [r.correct[0]! + 1, ...r.correct.slice(1)],
      })),
    })
    assert.deepEqual(result.outvoted, ['verifier-3'])
    assert.deepEqual(result.nodes, [
      { nodeId: 'verifier-1', agrees: true },
      { nodeId: 'verifier-2', agrees: true },
      { nodeId: 'verifier-3', agrees: false },
    ])
    assert.deepEqual(result.models, honest.models)
    assert.deepEqual(result.globalParams, honest.globalParams)
    const notice = result.notices.find((n) => n.kind === 'node-outvoted')!
    assert.equal(notice.subject, 'verifier-3')
    assert.match(notice.message, /verifier-1, verifier-2/)
    assert.deepEqual(honest.outvoted, [])
  })

  it('outvotes a node that reports a different aggregate', async () => {
    const { validation, models } = await fixture()
    const result = await verify(validation, models, {
      wrapNode: liar('verifier-1', (r) => {
        const aggregate = r.aggregate.slice()
        aggregate[0] = aggregate[0]! ^ 1
        return { ...r, aggregate }
      }),
    })
    assert.deepEqual(result.outvoted, ['verifier-1'])
  })

  it('fails closed when no outcome has a majority', async () => {
    const { validation, models } = await fixture()
    const twoLiars = (nodeId: string, inner: MessageHandler) =>
      liar('verifier-2', (r) => ({ ...r, correct: [0, 0] }))(
        nodeId,
        liar('verifier-3', (r) => ({ ...r, correct: [1, 1] }))(nodeId, inner),
      )
    await assert.rejects(
      verify(validation, models, { wrapNode: twoLiars }),
      (e: unknown) =>
        e instanceof MsflError &&
        e.code === 'PROTOCOL' &&
        /no outcome has a majority/.test(e.message),
    )
  })
})

describe('majorityOutcome', () => {
  const report = (node: string, correct: number[]): NodeReport => ({
    node,
    correct,
    inRange: [5],
    accepted: [true],
    aggregate: new Int32Array([1, 2]),
  })
  const nodes = ['n1', 'n2', 'n3', 'n4', 'n5']

  it('takes the strict majority of all nodes and names everyone else', () => {
    const verdict = majorityOutcome(nodes, [
      report('n1', [7]),
      report('n2', [8]),
      report('n3', [7]),
      report('n4', [8]),
      report('n5', [7]),
    ])
    assert.deepEqual(verdict.agreed.correct, [7])
    assert.deepEqual(verdict.agreeing, ['n1', 'n3', 'n5'])
    assert.deepEqual(verdict.outvoted, ['n2', 'n4'])
  })

  it('counts missing reports against the majority and refuses strangers and duplicates', () => {
    assert.throws(
      () => majorityOutcome(nodes, [report('n1', [7]), report('n2', [7])]),
      /no outcome has a majority/,
    )
    assert.throws(() => majorityOutcome(nodes, [report('mallory', [7])]), /not a verifier/)
    assert.throws(
      () => majorityOutcome(nodes, [report('n1', [7]), report('n1', [7])]),
      /two reports from n1/,
    )
  })
})
