import { parseArgs } from 'node:util'
import { listDatasets, verifyDatasets } from '../../adapters/data/index.ts'

export const datasetsHelp = `msfl datasets [--json]
msfl datasets split --dataset <name> --owners <n> --out <dir> [--seed <n>] [--partition <p>]

Lists the datasets (name, options, licence) and verifies every file in the data
folder against its SHA256SUMS. The folder is MSFL_DATA_DIR if set, else the
@msfl/datasets package. Exits non-zero if any file is missing or altered.

split writes each data owner's own CSV file and the job's schema (msfl datasets
split --help).
`

export async function datasets(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'split') {
    const { datasetsSplit } = await import('./datasetsSplit.ts')
    return datasetsSplit(argv.slice(1))
  }
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(datasetsHelp)
    return 0
  }
  const catalog = listDatasets()
  const verification = await verifyDatasets()
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ datasets: catalog, verification })}\n`)
    return verification.ok ? 0 : 1
  }
  const out: string[] = [`data folder: ${verification.dataDir}`, '']
  for (const d of catalog) {
    const checks = verification.files.filter((f) => f.dataset === d.name)
    const bad = checks.filter((f) => f.status !== 'ok')
    out.push(`${d.name.padEnd(14)} ${bad.length === 0 ? 'verified' : 'PROBLEM '}  ${d.description}`)
    out.push(`${''.padEnd(14)} licence: ${d.licence}`)
    if (d.options.length > 0)
      out.push(
        `${''.padEnd(14)} options: ${d.options.map((o) => `${o.name}=${o.accepts} (default ${o.default})`).join(', ')}`,
      )
    for (const f of bad)
      out.push(`${''.padEnd(14)} ${f.status}: ${f.file}${f.actual ? ` (sha256 ${f.actual})` : ''}`)
  }
  const counts = verification.files.reduce<Record<string, number>>((acc, f) => {
    acc[f.status] = (acc[f.status] ?? 0) + 1
    return acc
  }, {})
  out.push(
    '',
    `files: ${Object.entries(counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}`,
  )
  process.stdout.write(`${out.join('\n')}\n`)
  return verification.ok ? 0 : 1
}
