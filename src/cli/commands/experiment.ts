import { cpus } from 'node:os'
import { join } from 'node:path'
import { readConfigFile } from '../../adapters/config/index.ts'
import { renderExperimentReport, toCsv } from '../../adapters/report/index.ts'
import { createRunDirectory } from '../../adapters/runs/index.ts'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import {
  type ExperimentMatrix,
  expandMatrix,
  experimentMatrixSchema,
} from '../../runtime/config/experimentMatrix.ts'
import { EXPERIMENT_PRESETS } from '../../runtime/config/experimentPresets.ts'
import { cellProgressLine } from '../experiment/cellProgressLine.ts'
import { experimentSummary } from '../experiment/experimentSummary.ts'
import { resultTableRow } from '../experiment/resultTableRow.ts'
import { runCells } from '../experiment/runCells.ts'
import { machineEnvironment } from '../machineEnvironment.ts'
import { newRunId } from '../newRunId.ts'
import { parseCommandArgs } from '../parseCommandArgs.ts'

export const experimentHelp = `msfl experiment (--matrix FILE | --preset NAME) [options]

Runs variants × defences × attacks × malicious fractions × seeds, each cell a full
simulation, and writes results.csv, results.json and report.html (tables and charts)
to <out>/<id>-<name>/.

  --matrix FILE       JSON or YAML: { name, base: {simulation config}, aggregators: [...],
                      attacks: [... 'none' for clean], malicious: [fractions], seeds: [...],
                      privacy: [--privacy specs, 'none' for plain], clients: [...],
                      variants: [{ name, set: {config merged over base} }] }
  --preset NAME       ${Object.keys(EXPERIMENT_PRESETS).join(', ')}
  --rounds N          override base.rounds and variants' rounds (a quick look at a preset)
  --workers N         parallel simulations (default: number of CPU cores)
  --out DIR           parent directory (default runs)
  --json              print the result table as one JSON line (last line of stdout)
`

export async function experiment(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...argv],
    strict: true,
    options: {
      matrix: { type: 'string' },
      preset: { type: 'string' },
      rounds: { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string', default: 'runs' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(experimentHelp)
    return 0
  }
  const matrix = resolveMatrix(values.matrix, values.preset, values.rounds)
  const workers =
    values.workers === undefined ? cpus().length : positiveInteger('--workers', values.workers)
  const cells = expandMatrix(matrix)
  const id = `${newRunId()}-${matrix.name.replace(/[^A-Za-z0-9_-]/g, '_')}`
  const dir = createRunDirectory(values.out!, id)
  dir.write('matrix.json', `${JSON.stringify(matrix, null, 2)}\n`)
  const log = (text: string) => (values.json ? process.stderr : process.stdout).write(text)
  log(`experiment ${id}: ${cells.length} runs on ${Math.min(workers, cells.length)} worker(s)\n`)

  // Cells that differ only in their owner count must not print the same description.
  const showClients = new Set(cells.map((c) => c.clients)).size > 1
  // results.csv grows cell by cell in the working folder, so a long matrix stopped early
  // (or still running) keeps every cell it finished; the final write sorts them.
  const finished: ReturnType<typeof resultTableRow>[] = []
  const results = await runCells(cells, workers, (r, done) => {
    log(cellProgressLine(r, done, cells.length, showClients))
    finished.push(resultTableRow(r))
    dir.write('results.csv', toCsv(finished))
  })
  const table = results.map(resultTableRow)
  dir.write('results.json', `${JSON.stringify({ id, matrix, results }, null, 2)}\n`)
  dir.write('results.csv', toCsv(table))
  dir.write(
    'report.html',
    renderExperimentReport({
      name: matrix.name,
      matrix,
      results,
      environment: machineEnvironment(),
    }),
  )
  const path = dir.complete()
  log(experimentSummary(results))
  if (values.json)
    process.stdout.write(
      `${JSON.stringify({ id, name: matrix.name, dir: path, results: table })}\n`,
    )
  else log(`report: ${join(path, 'report.html')}\n`)
  return 0
}

function resolveMatrix(
  file: string | undefined,
  preset: string | undefined,
  rounds: string | undefined,
): ExperimentMatrix {
  if ((file === undefined) === (preset === undefined))
    throw new MsflError('CONFIG_INVALID', 'give exactly one of --matrix FILE or --preset NAME')
  let matrix: ExperimentMatrix
  if (preset !== undefined) {
    const found = EXPERIMENT_PRESETS[preset]
    if (!found)
      throw new MsflError(
        'CONFIG_INVALID',
        `--preset: unknown preset '${preset}' (valid: ${Object.keys(EXPERIMENT_PRESETS).join(', ')})`,
      )
    matrix = found
  } else {
    const parsed = experimentMatrixSchema.safeParse(readConfigFile(file!))
    if (!parsed.success)
      throw new MsflError('CONFIG_INVALID', `${file}: ${describeZodError(parsed.error)}`)
    matrix = parsed.data
  }
  if (rounds === undefined) return matrix
  // A quick look at a preset must shorten every cell, including variants with their own rounds.
  const n = positiveInteger('--rounds', rounds)
  return {
    ...matrix,
    base: { ...matrix.base, rounds: n },
    ...(matrix.variants
      ? {
          variants: matrix.variants.map((v) =>
            'rounds' in v.set ? { ...v, set: { ...v.set, rounds: n } } : v,
          ),
        }
      : {}),
  }
}

function positiveInteger(flag: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1)
    throw new MsflError(
      'CONFIG_INVALID',
      `${flag}: expected a positive integer, got ${JSON.stringify(text)}`,
    )
  return n
}
