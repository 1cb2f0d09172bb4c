import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { tableRows } from '../helpers/reportTables.ts'
import { lastJsonLine, runCli, tempDir } from '../helpers/runCli.ts'

// The report of an MS-FL run (attackers, selection shares, payouts, ledger, CKKS error)
// is checked in chain.test.ts, on the MS-FL run that file already makes.

describe('the report of a run with --defence adrm', () => {
  const out = tempDir()
  const r = runCli([
    'simulate',
    ...['--dataset', 'digits', '--model', 'softmax', '--clients', '10', '--rounds', '4'],
    ...['--attack', 'sign-flip:scale=4', '--malicious', '0.3', '--defence', 'adrm'],
    ...['--ledger', 'memory', '--json', '--quiet', '--out', out],
  ])

  it('lists the flagged updates, blocks and reputations of each round as the events have them', () => {
    assert.equal(r.status, 0, r.stderr)
    const s = lastJsonLine(r.stdout) as {
      runDir: string
      attackers: Record<string, string>
      defence: { reputations: Record<string, number> }
      ledger: { payouts: Record<string, string> }
    }
    const html = readFileSync(join(s.runDir, 'report.html'), 'utf8')
    assert.match(html, /<h2>Detection \(adrm\)<\/h2>/)
    const events = readFileSync(join(s.runDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; round: number; clientId: string })
    const ids = (type: string, round: number) =>
      events
        .filter((e) => e.type === type && e.round === round)
        .map((e) => e.clientId)
        .sort()
    const decided = [
      ...new Set(events.filter((e) => e.type === 'update-flagged').map((e) => e.round)),
    ]
    assert.ok(decided.length > 0, 'the attackers were flagged')
    const [, ...rows] = tableRows(html, 'detections')
    for (const round of decided) {
      const row = rows.find((x) => x.cells[0] === String(round))
      assert.ok(row, `round ${round} listed`)
      const named = (cell: string) => [...cell.matchAll(/do-\d+/g)].map((m) => m[0]).sort()
      assert.deepEqual(named(row.cells[1]!), ids('update-flagged', round), `flagged in ${round}`)
      assert.deepEqual(named(row.cells[3]!), ids('client-blocked', round), `blocked in ${round}`)
    }
    // Flagged owners are marked as attackers wherever they appear.
    for (const id of ids('update-flagged', decided[0]!)) {
      assert.ok(s.attackers[id], `${id} is an attacker`)
      assert.match(html, new RegExp(`<span class="attacker" title="attacker: [^"]+">${id}</span>`))
    }
    // The last reputation row is the defence's final reputations.
    const [header, ...reputation] = tableRows(html, 'reputation')
    const last = reputation.at(-1)!
    assert.equal(last.cells[0], '4')
    header!.cells.slice(1).forEach((id, i) => {
      assert.equal(last.cells[i + 1], s.defence.reputations[id]!.toFixed(0), id)
    })
    assert.deepEqual(header!.cells.slice(1).sort(), Object.keys(s.attackers).sort())
    // Payouts follow reputation: owners in the table are paid what the ledger paid them.
    const [ownersHeader, ...owners] = tableRows(html, 'owners')
    const paid = ownersHeader!.cells.indexOf('paid')
    for (const row of owners)
      assert.equal(
        row.cells[paid],
        `${BigInt(s.ledger.payouts[row.cells[0]!] ?? '0').toLocaleString('en')} units`,
      )
  })
})
