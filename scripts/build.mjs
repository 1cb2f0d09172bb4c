#!/usr/bin/env node
// Compiles src/ to ESM JavaScript and .d.ts in dist/ (what the published package runs).
// tsc emits .ts and imported .json files; the worker entry points are plain .mjs files
// that tsc does not see, so they are copied beside their compiled workers.
//
// The output is built in a fresh folder and swapped in at the end: a stale file from a
// deleted source is never published, and `bin/msfl.js` running meanwhile (the package
// test packs while other tests run the CLI) never sees a half-written dist/.
import { spawnSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'

function collect(dir, suffix) {
  const out = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...collect(path, suffix))
    else if (name.endsWith(suffix)) out.push(path)
  }
  return out
}

const fresh = `dist.build-${process.pid}`
const stale = `dist.stale-${process.pid}`
const typescript = dirname(createRequire(import.meta.url).resolve('typescript/package.json'))
const result = spawnSync(
  process.execPath,
  [join(typescript, 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', fresh],
  { stdio: 'inherit' },
)
if (result.status !== 0) {
  rmSync(fresh, { recursive: true, force: true })
  process.exit(result.status ?? 1)
}
for (const file of collect('src', '.mjs')) {
  const target = join(fresh, relative('src', file))
  mkdirSync(dirname(target), { recursive: true })
  copyFileSync(file, target)
}
if (existsSync('dist')) renameSync('dist', stale)
renameSync(fresh, 'dist')
rmSync(stale, { recursive: true, force: true })
