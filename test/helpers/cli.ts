import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The compiled `msfl` CLI of this checkout: what the multi-process tests start. It is the
 * same TypeScript as src/, compiled by `node scripts/build.mjs .test-build`, which
 * `npm test` runs first. A process started through tsx compiles every module it loads
 * again (about 1.5 s of CPU more per process measured here, and the suite starts
 * hundreds); the compiled build starts from JavaScript.
 */
const ENTRY = join('.test-build', 'cli', 'main.js')

let checked = false

/** The argv that starts the CLI under test; refuses a build older than src/. */
export function cliArgv(): string[] {
  if (!checked) {
    assertBuildCurrent()
    checked = true
  }
  return [process.execPath, ENTRY]
}

function assertBuildCurrent(): void {
  const rebuild = 'run `node scripts/build.mjs .test-build` (npm test does it first)'
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: ${rebuild}`)
  const built = statSync(ENTRY).mtimeMs
  const newer = newestSource('src')
  if (newer.mtimeMs > built)
    throw new Error(`${newer.path} changed after ${ENTRY} was built: ${rebuild}`)
}

function newestSource(dir: string): { path: string; mtimeMs: number } {
  let newest = { path: dir, mtimeMs: 0 }
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const found = entry.isDirectory()
      ? newestSource(path)
      : { path, mtimeMs: statSync(path).mtimeMs }
    if (found.mtimeMs > newest.mtimeMs) newest = found
  }
  return newest
}
