import assert from 'node:assert/strict'
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { tableRows } from '../helpers/reportTables.ts'
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
  let attackers: Record<string, string> = {}
  let history: { ckksError: number; selectionShare: Record<string, number> }[] = []
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
    const summary = lastJsonLine(r.stdout) as {
      runId: string
      runDir: string
      ledger: Ledger
      attackers: typeof attackers
      history: typeof history
    }
    runId = summary.runId
    runDir = summary.runDir
    ledger = summary.ledger
    attackers = summary.attackers
    history = summary.history
  })

  it("report.html marks the attackers, shows each owner's selection share and payout, the ledger and the CKKS error per round", () => {
    const html = readFileSync(join(runDir, 'report.html'), 'utf8')
    const pct = (v: number) => `${(v * 100).toFixed(2)} %`
    const wei = (v: string | bigint) => `${BigInt(v).toLocaleString('en')} wei`
    const [header, ...owners] = tableRows(html, 'owners')
    const column = (name: string) => {
      const i = header!.cells.indexOf(name)
      assert.ok(i > 0, `${name} in ${header!.cells.join(' | ')}`)
      return i
    }
    const [share, paid, ofPayouts] = [
      column('selection share (mean over rounds)'),
      column('paid'),
      column('share of payouts'),
    ]
    assert.equal(owners.length, 5)
    assert.equal(Object.keys(attackers).length, 1)
    const means = Object.fromEntries(
      owners.map((row) => {
        const id = row.cells[0]!
        return [id, history.reduce((a, h) => a + h.selectionShare[id]!, 0) / history.length]
      }),
    )
    const total = Object.values(means).reduce((a, b) => a + b, 0)
    for (const row of owners) {
      const id = row.cells[0]!
      const attack = attackers[id]
      assert.equal(row.attacker, attack !== undefined, id)
      assert.equal(row.cells[1], attack === undefined ? 'honest' : `attacker: ${attack}`)
      assert.equal(row.cells[share], pct(means[id]!), `${id} selection share`)
      assert.equal(row.cells[paid], wei(ledger.payouts[id] ?? '0'), `${id} payout`)
      // The selection share is the payment basis: every owner is paid in proportion to it.
      assert.equal(row.cells[ofPayouts], pct(means[id]! / total), `${id} share of payouts`)
    }

    const summary = Object.fromEntries(tableRows(html, 'ledger').map((row) => row.cells))
    const paidTotal = Object.values(ledger.payouts).reduce((a, b) => a + BigInt(b), 0n)
    assert.deepEqual(summary, {
      deposited: wei(ledger.deposit),
      'paid to data owners': wei(paidTotal),
      'refunded to the requestor': wei(ledger.refund),
      'left in escrow': wei(ledger.contract_balance),
      'model hashes registered': '2',
    })
    const [, ...hashes] = tableRows(html, 'model-hashes')
    assert.deepEqual(
      hashes.map((row) => row.cells),
      Object.entries(ledger.model_hashes),
    )

    const [roundsHeader, ...rounds] = tableRows(html, 'rounds')
    const ckks = roundsHeader!.cells.indexOf('CKKS error')
    assert.ok(ckks > 0)
    assert.deepEqual(
      rounds.map((row) => row.cells[ckks]),
      history.map((h) => h.ckksError.toExponential(2)),
    )
    assert.ok(history.every((h) => h.ckksError > 0 && h.ckksError < 1e-3))
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
