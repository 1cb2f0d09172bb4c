import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { after, before, describe, it } from 'node:test'
import * as core from '../../src/core/index.ts'
import * as msfl from '../../src/index.ts'

const COMMITTED = 'docs/api'
const WORKSPACE = 'packages/api-docs'

function filesBelow(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...filesBelow(path))
    else out.push(path)
  }
  return out
}

describe('the API reference (docs/api)', () => {
  let generated: string
  let run: ReturnType<typeof spawnSync>
  before(() => {
    generated = mkdtempSync(join(tmpdir(), 'msfl-api-docs-'))
    const typedoc = join(
      dirname(
        createRequire(join(process.cwd(), WORKSPACE, 'package.json')).resolve(
          'typedoc/package.json',
        ),
      ),
      'bin',
      'typedoc',
    )
    // typedoc.json treats warnings as errors: an undocumented export fails the run.
    run = spawnSync(
      process.execPath,
      [typedoc, '--options', 'typedoc.json', '--out', generated, '--logLevel', 'Warn'],
      { cwd: WORKSPACE, encoding: 'utf8', timeout: 300_000 },
    )
  })
  after(() => rmSync(generated, { recursive: true, force: true }))

  it('TypeDoc finds every export documented, exported and linked (no warnings)', () => {
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`)
    assert.doesNotMatch(String(run.stdout), /warning/i)
  })

  it('is up to date with the sources (regenerate with npm run docs:api)', () => {
    const want = filesBelow(generated).map((f) => relative(generated, f))
    const have = filesBelow(COMMITTED).map((f) => relative(COMMITTED, f))
    assert.deepEqual(have, want, 'docs/api has other pages than the sources give')
    for (const file of want)
      assert.equal(
        readFileSync(join(COMMITTED, file), 'utf8'),
        readFileSync(join(generated, file), 'utf8'),
        `docs/api/${file} is out of date: run npm run docs:api`,
      )
  })

  it('has a page with a description for every value the entry points export', () => {
    const pages = new Map(
      filesBelow(COMMITTED).map((f) => [f.slice(f.lastIndexOf('/') + 1, -'.md'.length), f]),
    )
    for (const name of new Set([...Object.keys(msfl), ...Object.keys(core)])) {
      const page = pages.get(name)
      assert.ok(page, `no page for the export ${name}`)
      // The title, then at least one line of prose that is not a signature or a heading.
      const body = readFileSync(page, 'utf8').split('\n')
      const title = body.findIndex((line) => line.startsWith('# '))
      assert.ok(
        body.slice(title + 1).some((line) => /^[A-Za-z`]/.test(line) && !line.startsWith('`')),
        `${page} has no description`,
      )
    }
  })

  it('shows the compiled examples on the main entry points', () => {
    for (const [page, example] of [
      ['functions/runSimulation.md', 'runSimulation.ts'],
      ['functions/runFederation.md', 'customStrategy.ts'],
      ['interfaces/Strategy.md', 'customStrategy.ts'],
      ['interfaces/Transport.md', 'customTransport.ts'],
      ['functions/createEventBus.md', 'readEventStream.ts'],
    ] as const) {
      const text = readFileSync(join(COMMITTED, 'msfl', page), 'utf8')
      const source = readFileSync(join('examples/library', example), 'utf8').trim()
      assert.ok(text.includes(source), `${page} does not show examples/library/${example}`)
    }
  })
})
