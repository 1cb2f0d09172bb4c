#!/usr/bin/env node
// Compiles src/ to ESM JavaScript and .d.ts in dist/ (what the published package runs).
// `node scripts/build.mjs .test-build` compiles the same JavaScript, without .d.ts, into
// .test-build/: the CLI the multi-process tests start (scripts/test.mjs builds it first).
// It is a folder of its own because the package test's `npm pack` rebuilds dist/ while
// other tests are starting CLI processes.
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

const out = process.argv[2] ?? 'dist'
if (out !== 'dist' && out !== '.test-build') {
  process.stderr.write(`build: the output folder is dist or .test-build, not ${out}\n`)
  process.exit(2)
}
const fresh = `${out}.build-${process.pid}`
const stale = `${out}.stale-${process.pid}`
const typescript = dirname(createRequire(import.meta.url).resolve('typescript/package.json'))
const result = spawnSync(
  process.execPath,
  [
    join(typescript, 'bin', 'tsc'),
    ...['-p', 'tsconfig.build.json', '--outDir', fresh],
    ...(out === 'dist' ? [] : ['--declaration', 'false']),
  ],
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
if (existsSync(out)) renameSync(out, stale)
renameSync(fresh, out)
rmSync(stale, { recursive: true, force: true })
