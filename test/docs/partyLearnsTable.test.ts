import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { it } from 'node:test'

const page = 'docs/msfl-protocol.md'
const header = '| party | what it learns | bound | test that checks it |'

/** The cells of a Markdown table row; `\|` is a pipe inside a cell. */
function cells(row: string): string[] {
  return row
    .replace(/^\s*\|/, '')
    .replace(/\|\s*$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'))
}

it(`${page}: every row of "party → what it learns → bound → test" names a test that exists in the file it links`, () => {
  const lines = readFileSync(page, 'utf8').split('\n')
  const start = lines.indexOf(header)
  assert.ok(start >= 0, `${page} has the table ${header}`)
  const rows = lines
    .slice(start + 2)
    .filter((_, i, all) => all.slice(0, i + 1).every((l) => l.startsWith('|')))
  assert.ok(rows.length >= 6, `${rows.length} rows`)
  const problems: string[] = []
  for (const row of rows) {
    const [party, , , tests = ''] = cells(row)
    const files = [...tests.matchAll(/\]\(([^)]+)\)/g)].map((m) =>
      normalize(join(dirname(page), m[1]!)),
    )
    const names = [...tests.matchAll(/"([^"]+)"/g)].map((m) => m[1]!)
    if (files.length === 0 || names.length === 0) {
      problems.push(`${party}: no linked test file or no quoted test name`)
      continue
    }
    for (const file of files)
      if (!existsSync(file) || !/\.test\.ts$/.test(file))
        problems.push(`${party}: ${file} is not a test file`)
    const sources = files.filter(existsSync).map((file) => readFileSync(file, 'utf8'))
    for (const name of names)
      if (!sources.some((source) => source.includes(name)))
        problems.push(`${party}: no test named "${name}" in ${files.join(', ')}`)
  }
  assert.deepEqual(problems, [])
})
