import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  createRpcChain,
  type Hex,
  parseLedgerSpec,
  settlementTotals,
} from '../../src/adapters/ledger-evm/index.ts'
import { launchLocalFederation } from '../../src/cli/deploy/launchLocalFederation.ts'
import { prepareLocalFederation } from '../../src/cli/deploy/prepareLocalFederation.ts'
import { findAnvil, type RunningAnvil, startAnvil } from '../../src/cli/deploy/startAnvil.ts'
import { initialMsflWeights } from '../../src/runtime/msfl/initialMsflWeights.ts'
import { CLI } from './federationProcesses.ts'
import { simulatedMsfl } from './simulatedModel.ts'

const anvil = findAnvil()

describe('MS-FL across processes: requestor, provider and owners each sign their own transactions on anvil', {
  skip: 'missing' in anvil ? anvil.missing : false,
}, () => {
  let root: string
  let node: RunningAnvil | undefined
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-deploy-msfl-'))
    if ('path' in anvil) node = await startAnvil(anvil.path)
  })
  after(async () => {
    await node?.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('1 requestor, 1 provider, 5 owners, 3 rounds on Adult: the in-process accuracy to 0.1 point; deposit = payouts + refund on chain; each process opened only its own kit', {
    timeout: 1_800_000,
  }, async (t) => {
    const dir = join(root, 'adult')
    const federation = await prepareLocalFederation({
      dir,
      owners: 5,
      rounds: 3,
      dataset: 'adult',
      model: 'logistic',
      seed: 7,
      host: '127.0.0.1',
      protocol: 'msfl',
    })
    const lines: string[] = []
    const ledger = `rpc:${node!.url}`
    const outcome = await launchLocalFederation(federation, {
      cli: CLI,
      write: (line) => lines.push(line),
      ledger,
    }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${lines.slice(-60).join('')}`)
    })
    const log = lines.join('')
    assert.deepEqual(
      Object.values(outcome.exitCodes).filter((code) => code !== 0),
      [],
      `exit codes ${JSON.stringify(outcome.exitCodes)}\n${log.slice(-4000)}`,
    )
    const summary = outcome.summary as {
      final: { accuracy: number }
      rounds: number
      ledger: { contract: string; deposit: string; refund: string; payouts: Record<string, string> }
    }
    assert.equal(summary.rounds, 3)

    // The same job in one process, same seed: masks, noise flooding and CKKS noise are
    // CSPRNG-drawn, so the accuracies agree to 0.1 point, not bit for bit.
    const inProcess = await simulatedMsfl(federation.job)
    t.diagnostic(
      `accuracy across processes ${summary.final.accuracy}, in one process ${inProcess.accuracy}`,
    )
    assert.ok(
      Math.abs(summary.final.accuracy - inProcess.accuracy) <= 0.001,
      `across processes ${summary.final.accuracy}, in one process ${inProcess.accuracy}`,
    )
    // Accuracy alone could agree on a model that never moved (Adult's majority class is 76 %):
    // the requestor's model file must be the in-process model up to the CSPRNG noise, and
    // three rounds must have moved it far more than that.
    const delivered = (
      JSON.parse(readFileSync(outcome.modelFile, 'utf8')) as { heads: number[][] }
    ).heads.flat()
    const simulated = inProcess.weights.flatMap((w) => [...w])
    assert.equal(delivered.length, simulated.length)
    const initial = initialMsflWeights(7, 1, simulated.length).flatMap((w) => [...w])
    const apart = distance(delivered, simulated)
    const moved = distance(simulated, initial)
    t.diagnostic(`|deployed − in-process| = ${apart}, |in-process − initial| = ${moved}`)
    assert.ok(apart <= 0.02 * moved, `the models differ by ${apart}; training moved ${moved}`)

    // The money, read from the chain itself rather than from any party's report.
    const where = parseLedgerSpec(ledger, 'ledger')
    assert.equal(where.kind, 'rpc')
    const chain = createRpcChain({ url: (where as { url: string }).url })
    const totals = await settlementTotals(chain, summary.ledger.contract as Hex, 0n)
    const paid = Object.values(totals.payouts).reduce((a, b) => a + b, 0n)
    assert.ok(totals.deposit > 0n, 'the requestor deposited')
    assert.equal(totals.deposit, paid + totals.refund)
    assert.equal(totals.balance, 0n)
    t.diagnostic(
      `on chain: deposit ${totals.deposit} wei = payouts ${paid} + refund ${totals.refund}; escrow ${totals.balance}`,
    )
    assert.equal(summary.ledger.deposit, totals.deposit.toString())
    // Each owner was paid at its own address, and read that from the chain itself.
    for (const owner of federation.owners)
      assert.match(log, new RegExp(`\\[${owner.name}\\] ${owner.name}: paid on chain address=0x`))

    // The kit loader is the one place keys are read: each process logs what it opened.
    const names = ['provider', 'requestor', ...federation.owners.map((o) => o.name)]
    for (const name of names) {
      const opened = lines.filter(
        (line) => line.startsWith(`[${name}] `) && line.includes('kit opened'),
      )
      assert.equal(opened.length, 1, `${name} opened one kit`)
      const files = /files[=":]+([^"\s]+)/.exec(opened[0]!)![1]!.split(',')
      assert.ok(
        files.some((f) => f.endsWith(`${sep}key.pem`)),
        `${name} read its key`,
      )
      for (const file of files)
        assert.ok(
          file.startsWith(join(dir, 'kits', name) + sep),
          `${name} opened ${file}, outside its own kit`,
        )
    }
  })
})

/** Euclidean distance between two weight vectors. */
function distance(a: readonly number[], b: readonly number[]): number {
  return Math.sqrt(a.reduce((sum, x, i) => sum + (x - b[i]!) ** 2, 0))
}
