import assert from 'node:assert/strict'
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { lastJsonLine, runCli, tempDir } from '../helpers/runCli.ts'

type Ledger = {
  kind: string
  contract: string
  deposit: string
  payouts: Record<string, string>
  refund: string
  contract_balance: string
  model_hashes: Record<string, string>
}

// One short MS-FL run on the in-process EVM, then `msfl chain` against its run directory.
describe('MS-FL run settled on the in-process EVM, inspected with msfl chain', () => {
  const out = tempDir()
  let runId = ''
  let runDir = ''
  let ledger: Ledger
  before(() => {
    const r = runCli([
      'simulate',
      '--protocol',
      'msfl',
      '--dataset',
      'adult',
      '--clients',
      '5',
      '--rounds',
      '2',
      '--attack',
      'label-flip',
      '--malicious',
      '0.2',
      '--json',
      '--quiet',
      '--out',
      out,
    ])
    assert.equal(r.status, 0, r.stderr)
    const summary = lastJsonLine(r.stdout) as { runId: string; runDir: string; ledger: Ledger }
    runId = summary.runId
    runDir = summary.runDir
    ledger = summary.ledger
  })

  it('pays out: payouts plus refunds equal the deposit to the wei and the contract ends empty', () => {
    assert.equal(ledger.kind, 'evm')
    const paid = Object.values(ledger.payouts).reduce((s, a) => s + BigInt(a), 0n)
    assert.ok(BigInt(ledger.deposit) > 0n)
    assert.equal(paid + BigInt(ledger.refund), BigInt(ledger.deposit))
    assert.equal(ledger.contract_balance, '0')
    assert.deepEqual(Object.keys(ledger.model_hashes), ['1', '2'])
    // Every owner checked its payout against the committed table in the event log.
    const events = readFileSync(join(runDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; ok?: boolean })
    const checks = events.filter((e) => e.type === 'table-verified')
    assert.equal(checks.length, 10)
    assert.ok(checks.every((e) => e.ok === true))
    // The key store is private to its owner; nothing else in the run names the seed.
    const seedFile = join(runDir, 'keys', 'ledger-seed.hex')
    assert.equal(statSync(seedFile).mode & 0o777, 0o600)
    const seed = readFileSync(seedFile, 'utf8').trim()
    for (const file of ['events.jsonl', 'ledger.json', 'metrics.json', 'report.html'])
      assert.ok(!readFileSync(join(runDir, file), 'utf8').includes(seed), file)
  })

  it('summary and table rebuild the chain from the run journal and agree with the run', () => {
    const summary = runCli(['chain', 'summary', '--run', runId, '--out', out, '--json'])
    assert.equal(summary.status, 0, summary.stderr)
    const s = lastJsonLine(summary.stdout) as Record<string, string | number>
    assert.equal(s.deposit, ledger.deposit)
    assert.equal(s.escrow, '0')
    assert.equal(s.models, 2)
    const table = runCli(['chain', 'table', '--round', '1', '--run', runId, '--out', out, '--json'])
    assert.equal(table.status, 0, table.stderr)
    const t = lastJsonLine(table.stdout) as { verified: boolean; owners: { owner: string }[] }
    assert.equal(t.verified, true)
    assert.equal(t.owners.length, 5)
  })

  it('verify-model accepts the model file and rejects it with one byte changed', () => {
    const model = join(runDir, 'model.json')
    const ok = runCli([
      'chain',
      'verify-model',
      model,
      '--round',
      '2',
      '--run',
      runId,
      '--out',
      out,
    ])
    assert.equal(ok.status, 0, ok.stderr)
    assert.match(ok.stdout, /^ok: /)
    const changed = join(tempDir(), 'model.json')
    copyFileSync(model, changed)
    const bytes = readFileSync(changed)
    bytes[20] = bytes[20] === 0x31 ? 0x32 : 0x31
    writeFileSync(changed, bytes)
    const bad = runCli([
      'chain',
      'verify-model',
      changed,
      '--round',
      '2',
      '--run',
      runId,
      '--out',
      out,
    ])
    assert.equal(bad.status, 1)
    assert.match(bad.stdout, /MISMATCH/)
    // Round 1's model is registered for round 1 only.
    const first = join(runDir, 'models', readdirSync(join(runDir, 'models'))[0]!)
    const wrongRound = runCli([
      'chain',
      'verify-model',
      first,
      '--round',
      '2',
      '--run',
      runId,
      '--out',
      out,
    ])
    assert.equal(wrongRound.status, 1)
    const right = runCli([
      'chain',
      'verify-model',
      first,
      '--round',
      '1',
      '--run',
      runId,
      '--out',
      out,
    ])
    assert.equal(right.status, 0, right.stderr)
  })

  it('bad input names the field and exits 2', () => {
    for (const [args, pattern] of [
      [['chain', 'summary', '--out', out], /--run: required/],
      [['chain', 'table', '--run', runId, '--out', out], /--round: required/],
      [['chain', 'table', '--round', 'x', '--run', runId, '--out', out], /--round: must be/],
      [['chain', 'summary', '--run', 'nope', '--out', out], /--run: .* does not exist/],
      [['chain', 'frobnicate', '--run', runId, '--out', out], /unknown subcommand/],
      [['simulate', '--protocol', 'msfl', '--ledger', 'ipfs:x', '--out', tempDir()], /ledger/],
    ] as const) {
      const r = runCli([...args])
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, pattern)
    }
  })
})
