import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { lastJsonLine, runCli, tempDir } from '../helpers/runCli.ts'

/** The rows of the report table with this class, each as its cells' text (tags stripped). */
function tableRows(html: string, cls: string): { attacker: boolean; cells: string[] }[] {
  const table = new RegExp(`<table class="${cls}">([\\s\\S]*?)</table>`).exec(html)
  assert.ok(table, `a ${cls} table`)
  return [...table[1]!.matchAll(/<tr([^>]*)>([\s\S]*?)<\/tr>/g)].map((m) => ({
    attacker: m[1]!.includes('attacker'),
    cells: [...m[2]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) =>
      c[1]!
        .replace(/<[^>]+>/g, '')
        .replace(/&#60;/g, '<')
        .replace(/&#62;/g, '>')
        .replace(/&lt;/g, '<')
        .trim(),
    ),
  }))
}

const pct = (v: number) => `${(v * 100).toFixed(2)} %`
const wei = (v: string | bigint) => `${BigInt(v).toLocaleString('en')} wei`

type Ledger = {
  deposit: string
  payouts: Record<string, string>
  refund: string
  contract_balance: string
  model_hashes: Record<string, string>
}

// What `npm start` runs (MS-FL on CKKS, label flippers, paid on the in-process EVM),
// on a small synthetic task so the test stays short.
describe('the report of an MS-FL run like npm start', () => {
  const out = tempDir()
  const r = runCli([
    'simulate',
    ...['--protocol', 'msfl', '--dataset', 'synthetic:classes=2,features=4', '--clients', '4'],
    ...['--rounds', '2', '--attack', 'label-flip', '--malicious', '0.25', '--json', '--quiet'],
    ...['--out', out],
  ])
  const s =
    r.status === 0
      ? (lastJsonLine(r.stdout) as {
          runDir: string
          attackers: Record<string, string>
          ledger: Ledger
          history: { round: number; ckksError: number; selectionShare: Record<string, number> }[]
        })
      : undefined
  const html = () => readFileSync(join(s!.runDir, 'report.html'), 'utf8')

  it('marks the attackers and shows each owner selection share and payout', () => {
    assert.equal(r.status, 0, r.stderr)
    const [header, ...owners] = tableRows(html(), 'owners')
    assert.deepEqual(header!.cells.slice(0, 2), ['data owner', 'role'])
    const share = header!.cells.indexOf('selection share (mean over rounds)')
    const paid = header!.cells.indexOf('paid')
    assert.ok(share > 0 && paid > 0, header!.cells.join(' | '))
    assert.equal(owners.length, 4)
    assert.equal(Object.keys(s!.attackers).length, 1)
    const ofPayouts = header!.cells.indexOf('share of payouts')
    const means: Record<string, number> = {}
    for (const row of owners) {
      const id = row.cells[0]!
      const attack = s!.attackers[id]
      assert.equal(row.attacker, attack !== undefined, id)
      assert.equal(row.cells[1], attack === undefined ? 'honest' : `attacker: ${attack}`)
      const mean = s!.history.reduce((a, h) => a + h.selectionShare[id]!, 0) / s!.history.length
      assert.equal(row.cells[share], pct(mean), `${id} selection share`)
      assert.equal(row.cells[paid], wei(s!.ledger.payouts[id] ?? '0'), `${id} payout`)
      means[id] = mean
    }
    // The selection share is the payment basis: every owner is paid in proportion to it.
    const total = Object.values(means).reduce((a, b) => a + b, 0)
    for (const row of owners)
      assert.equal(row.cells[ofPayouts], pct(means[row.cells[0]!]! / total), String(row.cells[0]))
  })

  it('shows the ledger summary and every registered model hash', () => {
    const ledger = Object.fromEntries(tableRows(html(), 'ledger').map((row) => row.cells))
    const paid = Object.values(s!.ledger.payouts).reduce((a, b) => a + BigInt(b), 0n)
    assert.ok(paid > 0n)
    assert.deepEqual(ledger, {
      deposited: wei(s!.ledger.deposit),
      'paid to data owners': wei(paid),
      'refunded to the requestor': wei(s!.ledger.refund),
      'left in escrow': wei(s!.ledger.contract_balance),
      'model hashes registered': '2',
    })
    const [, ...hashes] = tableRows(html(), 'model-hashes')
    assert.deepEqual(
      hashes.map((row) => row.cells),
      Object.entries(s!.ledger.model_hashes).map(([round, digest]) => [round, digest]),
    )
  })

  it('shows the CKKS error of every round', () => {
    const [header, ...rounds] = tableRows(html(), 'rounds')
    const column = header!.cells.indexOf('CKKS error')
    assert.ok(column > 0)
    assert.deepEqual(
      rounds.map((row) => row.cells[column]),
      s!.history.map((h) => h.ckksError.toExponential(2)),
    )
    assert.ok(s!.history.every((h) => h.ckksError > 0 && h.ckksError < 1e-3))
  })
})

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
