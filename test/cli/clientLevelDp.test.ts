import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { lastJsonLine, runCli, tempDir } from '../helpers/runCli.ts'

type Summary = {
  config: { privacy: string }
  privacy?: {
    spec: string
    epsilon?: number
    delta?: number
    epsilon_per_round?: Record<string, number>
    dropped: Record<string, string[]>
  }
  history: { round: number; selected: number; accepted: number; trainLoss: number }[]
}

const simulate = (extra: string[]) => {
  const r = runCli([
    'simulate',
    '--dataset',
    'breast-cancer',
    '--clients',
    '6',
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

/** ε after rounds 1, 2, 3, … in round order. */
const perRound = (s: Summary) =>
  Object.entries(s.privacy!.epsilon_per_round!)
    .map(([round, epsilon]) => [Number(round), epsilon] as const)
    .sort((a, b) => a[0] - b[0])

describe('msfl simulate --privacy dp:level=client', () => {
  it('central noise on the plain engine reports (ε, δ) per round and in total, within the budget', () => {
    const r = simulate(['--privacy', 'dp:level=client,sampling=0.5,epsilon=4,delta=1e-3'])
    assert.equal(r.status, 0, r.stderr)
    const privacy = r.summary!.privacy!
    assert.equal(
      privacy.spec,
      'dp:level=client,epsilon=4,delta=0.001,clip=1,noise=central,sampling=0.5,min=0,sigma=0',
    )
    const rounds = perRound(r.summary!)
    assert.deepEqual(
      rounds.map(([round]) => round),
      [1, 2, 3],
    )
    // Every round is charged, even one that sampled nobody (it releases the noise alone).
    for (let i = 1; i < rounds.length; i++) assert.ok(rounds[i]![1] > rounds[i - 1]![1])
    assert.equal(privacy.epsilon, rounds.at(-1)![1])
    assert.ok(privacy.epsilon! <= 4 && privacy.epsilon! > 3.99, `ε ${privacy.epsilon}`)
    assert.equal(privacy.delta, 1e-3)
    const level = privacy as unknown as Record<string, unknown>
    assert.equal(level['level'], 'client')
    assert.equal(level['noise'], 'central')
    assert.equal(level['sampling_rate'], 0.5)
    assert.ok((level['noise_multiplier'] as number) > 0)
    // DP clients report no training loss: it is a statistic the accountant does not cover.
    assert.ok(r.summary!.history.every((h) => h.trainLoss === 0))
  })

  it('distributed noise under secagg: ε never decreases and stays within the budget', () => {
    const r = simulate([
      '--privacy',
      'dp:level=client,noise=distributed,epsilon=10,delta=1e-3+secagg:t=3,clip=40',
    ])
    assert.equal(r.status, 0, r.stderr)
    const privacy = r.summary!.privacy!
    assert.match(privacy.spec, /noise=distributed.*\+secagg:t=3,clip=40,degree=all$/)
    const rounds = perRound(r.summary!)
    assert.equal(rounds.length, 3)
    for (let i = 1; i < rounds.length; i++) assert.ok(rounds[i]![1] >= rounds[i - 1]![1])
    // sampling=1: all 6 shares in every round, so each round carries σ·√2 and spends less
    // than the calibration (at t = 3 shares) allowed for.
    assert.ok(r.summary!.history.every((h) => h.accepted === 6))
    assert.ok(privacy.epsilon! < 10, `ε ${privacy.epsilon}`)
  })

  it('stops with an error naming the budget when a round would exceed it', () => {
    const r = simulate([
      '--rounds',
      '10',
      '--privacy',
      'dp:level=client,sigma=2,epsilon=3,delta=1e-3',
    ])
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /privacy: dp epsilon=3 budget: round 4 at σ = 2 would take ε past it/)
  })

  it('refuses combinations that would not protect what they claim, naming the option', () => {
    // The full table of refusals is in test/privacy/dpLevelSpec.test.ts; these go through the CLI.
    for (const [extra, pattern] of [
      [
        ['--privacy', 'dp:level=client,noise=distributed'],
        /privacy \(--privacy\): dp noise=distributed needs ckks, paillier, secagg/,
      ],
      [
        ['--privacy', 'dp:level=client', '--aggregator', 'krum'],
        /privacy: dp level=client .*aggregator krum is refused/,
      ],
      [
        ['--privacy', 'dp:level=client,sampling=0'],
        /option 'sampling' must be a number in 0.0001..1, got 0/,
      ],
    ] as const) {
      const r = simulate([...extra])
      assert.equal(r.status, 2, `${extra.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, pattern)
    }
  })
})
