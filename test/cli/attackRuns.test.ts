import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { lastJsonLine, runCli, tempDir } from '../helpers/runCli.ts'

type Summary = {
  final: { accuracy: number; attackSuccessRate?: number; flippedClassRecall?: number }
  attack_success_rate?: number
  attackers: Record<string, string>
  selection_share?: { honest: number; malicious: number; perClient: Record<string, number> }
  history: { excluded: string[]; selectionShare?: Record<string, number> }[]
  runDir: string
}

const digits = [
  '--dataset',
  'digits',
  '--model',
  'softmax',
  '--clients',
  '10',
  '--rounds',
  '3',
  '--lr',
  '0.3',
]

function simulate(args: string[]): Summary {
  const r = runCli(['simulate', ...digits, ...args, '--json', '--quiet', '--out', tempDir()])
  assert.equal(r.status, 0, r.stderr)
  return lastJsonLine(r.stdout) as Summary
}

describe('simulate with attacks and robust aggregation', () => {
  it('a boosted backdoor reports attack_success_rate and names the attackers', () => {
    const s = simulate(['--attack', 'backdoor:size=2,boost=5', '--malicious', '0.3'])
    assert.equal(Object.keys(s.attackers).length, 3)
    assert.ok(Object.values(s.attackers).every((a) => a === 'backdoor'))
    assert.equal(typeof s.attack_success_rate, 'number')
    assert.equal(s.attack_success_rate, s.final.attackSuccessRate)
    const events = readFileSync(join(s.runDir, 'events.jsonl'), 'utf8')
    assert.match(events, /"attackers":\{"do-\d":"backdoor"/)
  })

  it('label flipping reports the recall of the flipped classes; the MS-FL rule reports selection shares', () => {
    const s = simulate(['--attack', 'label-flip', '--malicious', '0.3', '--aggregator', 'msfl'])
    assert.equal(typeof s.final.flippedClassRecall, 'number')
    assert.ok(s.selection_share, 'selection_share present for the MS-FL rule')
    assert.ok(
      s.selection_share!.honest > s.selection_share!.malicious,
      JSON.stringify(s.selection_share),
    )
    assert.ok(s.history.every((h) => Object.keys(h.selectionShare!).length === 10))
  })

  it('Krum leaves out the updates it does not pick and says so in the events', () => {
    const s = simulate([
      '--attack',
      'gaussian:sigma=10',
      '--malicious',
      '0.2',
      '--aggregator',
      'krum',
    ])
    const attackers = new Set(Object.keys(s.attackers))
    for (const h of s.history) {
      assert.equal(h.excluded.length, 9, 'Krum keeps exactly one update')
      for (const a of attackers) assert.ok(h.excluded.includes(a), `${a} excluded`)
    }
    assert.ok(s.final.accuracy > 0.6, `accuracy ${s.final.accuracy}`)
    assert.match(readFileSync(join(s.runDir, 'events.jsonl'), 'utf8'), /"type":"update-excluded"/)
  })

  it('omniscient attacks run: ALIE and IPM against the median', () => {
    for (const attack of ['alie', 'ipm']) {
      const s = simulate(['--attack', attack, '--malicious', '0.3', '--aggregator', 'median'])
      assert.ok(s.final.accuracy > 0.3, `${attack}: ${s.final.accuracy}`)
    }
  })

  it('free-riders are accepted on the wire (they are well-formed) and counted as attackers', () => {
    const s = simulate(['--attack', 'free-rider:mode=stale', '--malicious', '0.2'])
    assert.equal(Object.keys(s.attackers).length, 2)
  })

  it('a rule that cannot tolerate the attackers fails before training, naming the requirement', () => {
    const out = tempDir()
    const r = runCli([
      'simulate',
      ...digits,
      '--attack',
      'ipm',
      '--malicious',
      '0.3',
      '--aggregator',
      'bulyan',
      '--out',
      out,
    ])
    assert.equal(r.status, 2)
    assert.match(r.stderr, /bulyan.*4f \+ 3/)
  })
})
