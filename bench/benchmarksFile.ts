import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'

const FILE = 'BENCHMARKS.md'

/** Sections whose heading carries this survive `npm run bench` rewriting the file. */
export const KEPT_ACROSS_BENCH = 'kept across `npm run bench`'

/** The `## …` sections of BENCHMARKS.md that `npm run bench` must keep, in file order. */
export function keptSections(): string[] {
  if (!existsSync(FILE)) return []
  return sections(readFileSync(FILE, 'utf8')).filter((s) => s.includes(KEPT_ACROSS_BENCH))
}

/**
 * Replaces the section whose heading starts with `heading` (e.g. `## Long runs`), or
 * appends it, leaving every other section as it is.
 */
export function writeSection(heading: string, section: string): void {
  const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '# Benchmarks\n'
  const parts = sections(text)
  const head = text.slice(0, text.search(/^## /m) === -1 ? text.length : text.search(/^## /m))
  const at = parts.findIndex((s) => s.startsWith(heading))
  if (at === -1) parts.push(section.trimEnd())
  else parts[at] = section.trimEnd()
  writeFileSync(FILE, `${head.trimEnd()}\n\n${parts.join('\n\n')}\n`)
}

function sections(text: string): string[] {
  const start = text.search(/^## /m)
  if (start === -1) return []
  return text
    .slice(start)
    .split(/\n(?=## )/)
    .map((s) => s.trimEnd())
}

/**
 * The lines under a section saying when, on what and how busy the machine was: a timing means
 * little without them, and the machine is shared with other jobs.
 */
export function measuredOn(p: {
  readonly command: string
  /** The 1-minute load average when the benchmark started. */
  readonly loadAtStart: number
  /** Appended to the machine line (e.g. where the store's files were). */
  readonly machineNote?: string
  /** Appended to the Node.js line. */
  readonly nodeNote?: string
}): string[] {
  const cpu = cpus()
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${process.platform} ${process.arch}${p.machineNote ? `; ${p.machineNote}` : ''}`,
    `- Node.js ${process.version}${p.nodeNote ? `; ${p.nodeNote}` : ''}`,
    `- load average (1 min) at start and end: ${p.loadAtStart.toFixed(1)} and ${loadavg()[0]!.toFixed(1)} on ${cpu.length} cores (the machine is shared with other jobs: above ${cpu.length}, timings are slower than on an idle machine)`,
    `- command: \`${p.command}\``,
  ]
}
