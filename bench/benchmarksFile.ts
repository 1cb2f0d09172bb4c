import { existsSync, readFileSync, writeFileSync } from 'node:fs'

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
