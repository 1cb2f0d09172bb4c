import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { openPrivacyLedger } from '../../src/adapters/owner-state/index.ts'
import { type PrivacyRelease, restoreReleases } from '../../src/core/dp/privacyRelease.ts'

const owner = { runId: 'run-1', clientId: 'do-0' }
const mechanism = { samplingRate: 0.01, noiseMultiplier: 1.1 }
const round = (r: number, epsilon: number): PrivacyRelease => ({
  v: 1,
  ...owner,
  kind: 'dp-sgd-round',
  round: r,
  steps: 100,
  mechanism,
  epsilon,
})
const fresh = () =>
  join(mkdtempSync(join(tmpdir(), 'msfl-ledger-')), 'run-1', 'privacy-ledger.jsonl')

describe('openPrivacyLedger: a DP owner remembers what it released', () => {
  it('a reopened ledger holds every release, in order, as the restored accountant takes them', async () => {
    const path = fresh()
    const first = openPrivacyLedger(path, owner)
    assert.deepEqual(first.releases(), [])
    await first.record({ v: 1, ...owner, kind: 'statistics', steps: 1, mechanism })
    await first.record(round(1, 0.4))
    await first.record(round(2, 0.7))
    first.close()
    const again = openPrivacyLedger(path, owner)
    assert.equal(again.repaired, undefined)
    const restored = restoreReleases(again.releases())
    assert.deepEqual(restored.statistics, { steps: 1, mechanism })
    assert.deepEqual(
      restored.rounds.map((r) => [r.round, r.epsilon]),
      [
        [1, 0.4],
        [2, 0.7],
      ],
    )
    await again.record({ v: 1, ...owner, kind: 'client-update', round: 3 })
    again.close()
    assert.deepEqual(
      [...restoreReleases(openPrivacyLedger(path, owner).releases()).clientRounds],
      [3],
    )
  })

  it('a last line cut short by a crash was never acknowledged: it is dropped and the file repaired', async () => {
    const path = fresh()
    const ledger = openPrivacyLedger(path, owner)
    await ledger.record(round(1, 0.4))
    ledger.close()
    appendFileSync(path, JSON.stringify(round(2, 0.7)).slice(0, 30))
    const reopened = openPrivacyLedger(path, owner)
    assert.match(reopened.repaired ?? '', /dropped a last line cut short \(30 bytes/)
    assert.deepEqual(
      reopened.releases().map((r) => (r.kind === 'dp-sgd-round' ? r.round : 0)),
      [1],
    )
    await reopened.record(round(2, 0.7))
    reopened.close()
    // The repaired file holds whole lines only, the new release among them.
    const lines = readFileSync(path, 'utf8').split('\n')
    assert.equal(lines.length, 3)
    assert.equal(lines[2], '')
    assert.equal(openPrivacyLedger(path, owner).releases().length, 2)
  })

  it('a damaged, foreign or malformed ledger is refused, naming the line and the field, never reset', () => {
    const path = fresh()
    openPrivacyLedger(path, owner).close()
    writeFileSync(path, `${JSON.stringify(round(1, 0.4))}\nnot json\n`)
    assert.throws(() => openPrivacyLedger(path, owner), /line 2: not JSON/)
    writeFileSync(path, `${JSON.stringify({ ...round(1, 0.4), epsilon: -1 })}\n`)
    assert.throws(() => openPrivacyLedger(path, owner), /line 1: epsilon/)
    writeFileSync(path, `${JSON.stringify({ ...round(1, 0.4), mechanism: { samplingRate: 0 } })}\n`)
    assert.throws(() => openPrivacyLedger(path, owner), /line 1: mechanism\./)
    writeFileSync(path, `${JSON.stringify({ ...round(1, 0.4), extra: true })}\n`)
    assert.throws(() => openPrivacyLedger(path, owner), /line 1: /)
    writeFileSync(path, `${JSON.stringify(round(1, 0.4))}\n`)
    assert.throws(
      () => openPrivacyLedger(path, { ...owner, runId: 'run-2' }),
      /line 1: runId is run-1, this run is run-2/,
    )
    assert.throws(
      () => openPrivacyLedger(path, { ...owner, clientId: 'do-1' }),
      /line 1: clientId is do-0, this owner is do-1/,
    )
    // Refusing changed nothing: the ledger still reads as it was written.
    assert.equal(openPrivacyLedger(path, owner).releases().length, 1)
  })

  it('records only this run and owner’s releases, checked like the file', async () => {
    const ledger = openPrivacyLedger(fresh(), owner)
    await assert.rejects(
      ledger.record({ ...round(1, 0.4), clientId: 'do-9' }),
      /another run or owner/,
    )
    await assert.rejects(ledger.record({ ...round(0, 0.4) }), /round/)
    assert.deepEqual(ledger.releases(), [])
    ledger.close()
  })
})
