/**
 * Judges `msfl experiment --preset non-iid` results against issue 18's acceptance 1 and writes
 * the tables of docs/noniid-results.md between its generated-table markers.
 *
 *   npx tsx scripts/noniidReport.ts docs/noniid-results.md runs/…-non-iid… [more run folders]
 *
 * Each folder's results.csv may be partial (a run still going, or stopped): every cell found
 * is judged, and the table says how many seeds each row rests on. A cell passes when the
 * recommended defence's mean accuracy over the seeds is within 3 points of clean FedAvg's
 * (same variant, same seeds), at most 1 point below undefended FedAvg's under the same
 * attack, and, for the backdoor, its attack success is at most 5 %.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { NON_IID_DEFENCE } from '../src/runtime/config/experimentPresets.ts'

const [target, ...folders] = process.argv.slice(2)
if (!target || folders.length === 0) {
  process.stderr.write('usage: tsx scripts/noniidReport.ts <markdown file> <run folder>…\n')
  process.exit(2)
}

type Row = Record<string, string>

/** RFC 4180 as toCsv writes it: quoted fields may hold commas and doubled quotes. */
function parseCsv(text: string): Row[] {
  const records: string[][] = []
  let field = ''
  let record: string[] = []
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',' || c === '\n') {
      record.push(field)
      field = ''
      if (c === '\n') {
        records.push(record)
        record = []
      }
    } else field += c
  }
  const [header = [], ...body] = records
  return body.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k] ?? ''])))
}

// A folder whose first cell has not finished has no results.csv yet: nothing to judge there.
const rows = folders.flatMap((folder) =>
  existsSync(join(folder, 'results.csv'))
    ? parseCsv(readFileSync(join(folder, 'results.csv'), 'utf8'))
    : [],
)
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const points = (x: number) => (100 * x).toFixed(2)
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}`

/** Accuracy (and attack success) per seed of one aggregator in one cell. */
function bySeed(variant: string, aggregator: string, attack: string, malicious: string) {
  const found = new Map<string, { accuracy: number; asr: number | undefined }>()
  for (const r of rows)
    if (
      (r['variant'] ?? '') === variant &&
      r['aggregator'] === aggregator &&
      r['attack'] === attack &&
      r['malicious'] === malicious &&
      r['status'] === 'ok'
    )
      found.set(r['seed']!, {
        accuracy: Number(r['accuracy']),
        asr: r['attackSuccessRate'] === '' ? undefined : Number(r['attackSuccessRate']),
      })
  return found
}

const variants = [...new Set(rows.map((r) => r['variant'] ?? ''))]
const sections: string[] = []
let judged = 0
let passed = 0
const misses: string[] = []
for (const variant of variants) {
  const cells = [
    ...new Map(
      rows
        .filter((r) => (r['variant'] ?? '') === variant && r['attack'] !== 'none')
        .map((r) => [`${r['attack']}|${r['malicious']}`, [r['attack']!, r['malicious']!]] as const),
    ).values(),
  ]
  const clean = bySeed(variant, 'fedavg', 'none', '0')
  const defendedClean = bySeed(variant, NON_IID_DEFENCE, 'none', '0')
  const lines = [
    `### ${variant || 'runs'}`,
    '',
    `Clean FedAvg ${clean.size > 0 ? `${points(mean([...clean.values()].map((v) => v.accuracy)))} %` : 'not run yet'}; clean ${NON_IID_DEFENCE} ${defendedClean.size > 0 ? `${points(mean([...defendedClean.values()].map((v) => v.accuracy)))} %` : 'not run yet'} (seeds ${[...clean.keys()].join(', ') || '–'}).`,
    '',
    `| attack | attackers | seeds | FedAvg | ${NON_IID_DEFENCE} | vs clean FedAvg | vs FedAvg | backdoor success (FedAvg / ${NON_IID_DEFENCE}) | verdict |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ]
  for (const [attack, malicious] of cells) {
    const undefended = bySeed(variant, 'fedavg', attack, malicious)
    const defended = bySeed(variant, NON_IID_DEFENCE, attack, malicious)
    // Compare on the seeds every side has, so a missing seed never skews a difference.
    const seeds = [...defended.keys()].filter((s) => undefended.has(s) && clean.has(s))
    const share = `${Math.round(100 * Number(malicious))} %`
    if (seeds.length === 0) {
      const failed = rows.find(
        (r) =>
          (r['variant'] ?? '') === variant &&
          r['attack'] === attack &&
          r['malicious'] === malicious &&
          r['status'] !== 'ok',
      )
      lines.push(
        `| \`${attack}\` | ${share} | 0 | | | | | | ${failed ? failed['status'] : 'not run yet'} |`,
      )
      continue
    }
    const at = (m: Map<string, { accuracy: number; asr: number | undefined }>) =>
      mean(seeds.map((s) => m.get(s)!.accuracy))
    const asrOf = (m: Map<string, { accuracy: number; asr: number | undefined }>) => {
      const values = seeds.map((s) => m.get(s)!.asr).filter((v) => v !== undefined)
      return values.length === 0 ? undefined : mean(values)
    }
    const baseline = mean(seeds.map((s) => clean.get(s)!.accuracy))
    const a = at(defended)
    const u = at(undefended)
    const asr = asrOf(defended)
    const reasons = [
      ...(a < baseline - 0.03 ? ['> 3 points below clean'] : []),
      ...(a < u - 0.01 ? ['> 1 point below FedAvg'] : []),
      ...(asr !== undefined && asr > 0.05 ? ['backdoor > 5 %'] : []),
    ]
    judged++
    if (reasons.length === 0) passed++
    else misses.push(`${variant}, \`${attack}\` at ${share}: ${reasons.join(', ')}`)
    const undefendedAsr = asrOf(undefended)
    lines.push(
      `| \`${attack}\` | ${share} | ${seeds.length} | ${points(u)} | ${points(a)} | ${signed(a - baseline)} | ${signed(a - u)} | ${asr === undefined ? '' : `${points(undefendedAsr ?? 0)} / ${points(asr)}`} | ${reasons.length === 0 ? 'holds' : `**misses**: ${reasons.join(', ')}`} |`,
    )
  }
  sections.push(lines.join('\n'))
}

const summary = [
  `Judged ${judged} cells (attack × share × dataset, mean over the seeds run so far): ${passed} hold, ${judged - passed} miss.`,
  '',
  ...(misses.length > 0 ? ['Misses:', '', ...misses.map((m) => `- ${m}`), ''] : []),
  `Source folders: ${folders.map((f) => `\`${f}\``).join(', ')}.`,
].join('\n')

const START = '<!-- generated by scripts/noniidReport.ts: start -->'
const END = '<!-- generated by scripts/noniidReport.ts: end -->'
const document = readFileSync(target, 'utf8')
const from = document.indexOf(START)
const to = document.indexOf(END)
if (from < 0 || to < from) {
  process.stderr.write(`${target} has no generated-table markers\n`)
  process.exit(1)
}
writeFileSync(
  target,
  `${document.slice(0, from + START.length)}\n\n${summary}\n\n${sections.join('\n\n')}\n\n${document.slice(to)}`,
)
process.stdout.write(`${summary}\n`)
