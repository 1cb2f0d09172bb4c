import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { lastJsonLine, runCli, tempDir } from '../helpers/runCli.ts'

type Summary = {
  final: { accuracy: number }
  privacy?: { spec: string; bytes_per_client_per_round: number }
  history: { accepted: number }[]
}

const simulate = (extra: string[]) => {
  const r = runCli([
    'simulate',
    '--dataset',
    'adult',
    '--clients',
    '5',
    '--rounds',
    '3',
    ...extra,
    '--json',
    '--quiet',
    '--out',
    tempDir(),
  ])
  return { ...r, summary: r.status === 0 ? (lastJsonLine(r.stdout) as Summary) : undefined }
}

describe('msfl simulate --privacy', () => {
  it('ckks: FedAvg on encrypted updates ends within 0.1 point of plaintext FedAvg', () => {
    const plain = simulate([])
    const ckks = simulate(['--privacy', 'ckks'])
    assert.equal(ckks.status, 0, ckks.stderr)
    assert.equal(ckks.summary!.privacy!.spec, 'ckks:preset=ckks-8192')
    // One ckks-8192 ciphertext (4,096 slots) holds Adult's 109 parameters.
    assert.ok(ckks.summary!.privacy!.bytes_per_client_per_round > 50_000)
    assert.ok(ckks.summary!.history.every((r) => r.accepted === 5))
    assert.ok(
      Math.abs(ckks.summary!.final.accuracy - plain.summary!.final.accuracy) < 0.001,
      `${ckks.summary!.final.accuracy} vs ${plain.summary!.final.accuracy}`,
    )
  })

  it('refuses combinations that need individual updates, and bad specs, naming the field', () => {
    for (const [extra, pattern] of [
      [
        ['--privacy', 'ckks', '--aggregator', 'krum'],
        /privacy: krum needs every individual update/,
      ],
      [
        ['--privacy', 'ckks', '--strategy', 'fedsgd'],
        /privacy: protected updates need strategy fedavg/,
      ],
      [['--privacy', 'rot13'], /privacy.*unknown protection 'rot13'/],
      [['--privacy', 'ckks:preset=ckks-1024'], /privacy.*preset/],
      [['--privacy', 'ckks+ckks'], /privacy.*twice/],
    ] as const) {
      const r = simulate([...extra])
      assert.equal(r.status, 2, `${extra.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, pattern)
    }
  })
})
