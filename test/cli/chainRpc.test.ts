import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { findAnvil, type RunningAnvil, startAnvil } from '../../src/cli/deploy/startAnvil.ts'
import { lastJsonLine, runCliAsync, tempDir } from '../helpers/runCli.ts'

const anvil = findAnvil()
const skip = 'missing' in anvil ? `anvil cannot run here: ${anvil.missing}` : false

// The demo's settlement on a real node: anvil on 127.0.0.1, started and stopped here.
describe('MS-FL settled on a JSON-RPC node (anvil)', { skip }, () => {
  let node: RunningAnvil
  before(async () => {
    node = await startAnvil((anvil as { path: string }).path)
  })
  after(() => node?.stop())

  it('pays out on the node and msfl chain reads it back from the node', async () => {
    const out = tempDir()
    const ledger = `rpc:${node.url}`
    const r = await runCliAsync([
      'simulate',
      '--protocol',
      'msfl',
      '--dataset',
      'adult',
      '--clients',
      '4',
      '--rounds',
      '1',
      '--ledger',
      ledger,
      '--json',
      '--quiet',
      '--out',
      out,
    ])
    assert.equal(r.status, 0, r.stderr)
    const s = lastJsonLine(r.stdout) as {
      runId: string
      ledger: {
        kind: string
        deposit: string
        payouts: Record<string, string>
        refund: string
        contract_balance: string
      }
    }
    assert.equal(s.ledger.kind, 'rpc')
    const paid = Object.values(s.ledger.payouts).reduce((sum, a) => sum + BigInt(a), 0n)
    assert.equal(paid + BigInt(s.ledger.refund), BigInt(s.ledger.deposit))
    assert.equal(s.ledger.contract_balance, '0')

    const missing = await runCliAsync(['chain', 'summary', '--run', s.runId, '--out', out])
    assert.equal(missing.status, 2)
    assert.match(missing.stderr, /--ledger rpc:<url>/)
    const summary = await runCliAsync([
      'chain',
      'summary',
      '--run',
      s.runId,
      '--out',
      out,
      '--ledger',
      ledger,
      '--json',
    ])
    assert.equal(summary.status, 0, summary.stderr)
    const chain = lastJsonLine(summary.stdout) as {
      deposit: string
      escrow: string
      models: number
    }
    assert.deepEqual([chain.deposit, chain.escrow, chain.models], [s.ledger.deposit, '0', 1])
  })
})
