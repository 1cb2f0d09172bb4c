import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { lastJsonLine, runCli, tempDir } from '../helpers/runCli.ts'

type Summary = {
  final: { accuracy: number }
  privacy?: {
    spec: string
    bytes_per_client_per_round: number
    epsilon?: number
    delta?: number
    epsilon_per_round?: Record<string, number>
  }
  history: { accepted: number; dropped?: string[] }[]
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
    // One ckks-8192 ciphertext (4,096 slots) holds Adult's 117 parameters.
    assert.ok(ckks.summary!.privacy!.bytes_per_client_per_round > 50_000)
    assert.ok(ckks.summary!.history.every((r) => r.accepted === 5))
    assert.ok(
      Math.abs(ckks.summary!.final.accuracy - plain.summary!.final.accuracy) < 0.001,
      `${ckks.summary!.final.accuracy} vs ${plain.summary!.final.accuracy}`,
    )
  })

  it('paillier: FedAvg on packed Paillier updates ends within 0.1 point of plaintext FedAvg', () => {
    const plain = simulate([])
    const paillier = simulate(['--privacy', 'paillier'])
    assert.equal(paillier.status, 0, paillier.stderr)
    assert.equal(paillier.summary!.privacy!.spec, 'paillier:bits=2048,precision=16,range=1')
    // 117 parameters of 16 bits plus headroom fit one or two 4,096-bit ciphertexts.
    assert.ok(paillier.summary!.privacy!.bytes_per_client_per_round < 2_000)
    assert.ok(
      Math.abs(paillier.summary!.final.accuracy - plain.summary!.final.accuracy) < 0.001,
      `${paillier.summary!.final.accuracy} vs ${plain.summary!.final.accuracy}`,
    )
  })

  it('secagg: the server learns only the survivors’ sum; 30 % dropout completes, too many aborts', () => {
    const plain = simulate(['--clients', '10'])
    const full = simulate(['--clients', '10', '--privacy', 'secagg'])
    assert.equal(full.status, 0, full.stderr)
    assert.ok(Math.abs(full.summary!.final.accuracy - plain.summary!.final.accuracy) < 0.001)
    const dropout = simulate(['--clients', '10', '--privacy', 'secagg', '--dropout', '0.3'])
    assert.equal(dropout.status, 0, dropout.stderr)
    for (const round of dropout.summary!.history) {
      assert.equal(round.accepted, 7)
      assert.equal(round.dropped!.length, 3)
    }
    // t = 9 cannot be met when 3 of 10 vanish: the round aborts and the run stops.
    const abort = simulate(['--clients', '10', '--privacy', 'secagg:t=9', '--dropout', '0.3'])
    assert.equal(abort.status, 2, `status ${abort.status}: ${abort.stderr}`)
    assert.match(abort.stderr, /aborted at masked-input: 7 of 10 clients remain, threshold is 9/)
  })

  it('dp+ckks: DP-SGD owners spend at most the ε budget, reported per round, behind CKKS', () => {
    const r = simulate([
      '--privacy',
      'dp:epsilon=2,delta=1e-5+ckks',
      '--batch-size',
      '256',
      '--lr',
      '0.5',
    ])
    assert.equal(r.status, 0, r.stderr)
    const privacy = r.summary!.privacy!
    assert.equal(privacy.spec, 'dp:epsilon=2,delta=0.00001,clip=1+ckks:preset=ckks-8192')
    assert.ok(privacy.epsilon! <= 2 && privacy.epsilon! > 1.9, `ε ${privacy.epsilon}`)
    assert.equal(privacy.delta, 1e-5)
    const perRound = Object.values(privacy.epsilon_per_round!)
    assert.equal(perRound.length, 3)
    assert.ok(perRound[0]! < perRound[1]! && perRound[1]! < perRound[2]!)
    // Three rounds of noisy training on Adult already beat the 76 % majority class.
    assert.ok(r.summary!.final.accuracy > 0.8, `accuracy ${r.summary!.final.accuracy}`)
  })

  it('refuses combinations that need individual updates, and bad specs, naming the field', () => {
    for (const [extra, pattern] of [
      [
        ['--privacy', 'ckks', '--aggregator', 'krum'],
        /privacy: krum needs every individual update/,
      ],
      [
        ['--privacy', 'ckks', '--strategy', 'fedsgd'],
        /privacy: ckks releases only the mean update.*use strategy fedavg or fedprox, not fedsgd/,
      ],
      [['--privacy', 'rot13'], /privacy.*unknown protection 'rot13'/],
      [['--privacy', 'ckks:preset=ckks-1024'], /privacy.*preset/],
      [['--privacy', 'ckks+ckks'], /privacy.*twice/],
      [['--privacy', 'dp:delta=0.5'], /privacy.*delta/],
      [['--privacy', 'paillier:bits=1024'], /privacy.*bits/],
      [['--privacy', 'ckks+paillier'], /privacy.*ckks, paillier, secagg each hide the updates/],
      [['--privacy', 'dp', '--strategy', 'fedsgd'], /privacy: dp trains with DP-SGD inside FedAvg/],
    ] as const) {
      const r = simulate([...extra])
      assert.equal(r.status, 2, `${extra.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, pattern)
    }
  })
})
