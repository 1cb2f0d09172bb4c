import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { lastJsonLine, runCli, tempDir } from '../helpers/runCli.ts'

type Summary = {
  runId: string
  runDir: string
  detection: {
    precision: number | null
    recall: number | null
    false_positive_rate: number | null
    rollbacks: unknown[]
    blocks: { clientId: string }[]
  }
  defence: { reputations: Record<string, number>; flagged: number }
  verification?: { round: number; accuracy: Record<string, number> }[]
  ledger: {
    kind: string
    deposit: string
    payouts: Record<string, string>
    refund: string
    contract_balance: string
    model_hashes: Record<string, string>
  }
  attackers: Record<string, string>
}

const base = ['simulate', '--dataset', 'digits', '--model', 'softmax', '--clients', '10']

describe('msfl simulate --defence adrm --verify smpc on the in-process EVM', () => {
  const out = tempDir()
  const r = runCli([
    ...base,
    '--rounds',
    '3',
    '--attack',
    'sign-flip:scale=4',
    '--malicious',
    '0.3',
    '--defence',
    'adrm',
    '--verify',
    'smpc',
    '--json',
    '--quiet',
    '--out',
    out,
  ])
  const summary = r.status === 0 ? (lastJsonLine(r.stdout) as Summary) : undefined

  it('reports detection against the known attackers, verification, and a settled ledger', () => {
    assert.equal(r.status, 0, r.stderr)
    const s = summary!
    assert.equal(s.detection.recall, 1)
    assert.equal(s.detection.precision, 1)
    assert.equal(s.detection.false_positive_rate, 0)
    assert.deepEqual(
      [...new Set(s.detection.blocks.map((b) => b.clientId))].sort(),
      Object.keys(s.attackers).sort(),
    )
    for (const id of Object.keys(s.attackers)) assert.ok(s.defence.reputations[id]! < 100)
    assert.equal(s.verification!.length, 3)
    assert.equal(s.ledger.kind, 'evm')
    assert.deepEqual(Object.keys(s.ledger.model_hashes), ['0', '1', '2', '3'])
    const paid = Object.values(s.ledger.payouts).reduce((a, b) => a + BigInt(b), 0n)
    assert.equal(paid + BigInt(s.ledger.refund), BigInt(s.ledger.deposit))
    assert.equal(s.ledger.contract_balance, '0')
    for (const id of Object.keys(s.attackers)) assert.equal(s.ledger.payouts[id] ?? '0', '0')
  })

  it('keeps the ledger journal and the registered model bytes, which msfl chain verifies', () => {
    const s = summary!
    assert.ok(existsSync(join(s.runDir, 'ledger.json')))
    const ok = runCli([
      'chain',
      'verify-model',
      join(s.runDir, 'model.registered.bin'),
      '--round',
      '3',
      '--run',
      s.runId,
      '--out',
      out,
    ])
    assert.equal(ok.status, 0, ok.stderr)
    const wrongRound = runCli([
      'chain',
      'verify-model',
      join(s.runDir, 'model.registered.bin'),
      '--round',
      '2',
      '--run',
      s.runId,
      '--out',
      out,
    ])
    assert.notEqual(wrongRound.status, 0)
  })
})

describe('msfl simulate --defence / --verify: bad input names the field', () => {
  const cases: [string[], RegExp][] = [
    [['--defence', 'adrm:z=abc'], /defence \(--defence\): .*option 'z'/],
    [['--defence', 'firewall'], /defence \(--defence\): unknown defence 'firewall'/],
    [['--verify', 'smpc:nodes=2'], /verify \(--verify\): .*option 'nodes'/],
    [['--verify', 'smpc', '--aggregator', 'krum'], /verify: .*use aggregator fedavg, not krum/],
    [
      ['--defence', 'adrm', '--privacy', 'secagg'],
      /defence \(--defence\): needs the individual updates, which privacy secagg hides/,
    ],
    [
      ['--verify', 'smpc', '--privacy', 'dp:level=client'],
      /verify \(--verify\): the verifier nodes aggregate without client-level DP noise/,
    ],
    [
      ['--protocol', 'msfl', '--defence', 'adrm'],
      /defence \(--defence\): under --protocol msfl needs --mask global-scale/,
    ],
    [
      ['--protocol', 'msfl', '--verify', 'smpc'],
      /verify \(--verify\): applies to the plain engine only/,
    ],
  ]
  for (const [flags, pattern] of cases)
    it(flags.join(' '), () => {
      const r = runCli([...base, '--rounds', '1', ...flags, '--quiet', '--out', tempDir()])
      assert.notEqual(r.status, 0)
      assert.match(r.stderr, pattern)
    })
})
