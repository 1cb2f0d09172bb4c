#!/usr/bin/env node
// Compiles src/ to ESM JavaScript and .d.ts in dist/ (what the published package runs).
// tsc emits .ts and imported .json files; the worker entry points are plain .mjs files
// that tsc does not see, so they are copied beside their compiled workers.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
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

// A stale file from a deleted source must not be published.
rmSync('dist', { recursive: true, force: true })
const typescript = dirname(createRequire(import.meta.url).resolve('typescript/package.json'))
const tsc = join(typescript, 'bin', 'tsc')
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
if (result.status !== 0) process.exit(result.status ?? 1)
for (const file of collect('src', '.mjs')) {
  const target = join('dist', relative('src', file))
  mkdirSync(dirname(target), { recursive: true })
  copyFileSync(file, target)
}
