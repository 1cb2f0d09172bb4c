#!/usr/bin/env node
// Node 20's test runner has no glob support, so collect test files here and hand
// them to `node --test`. Extra arguments are passed through (e.g. a file filter).
// Every test file must finish within FILE_TIMEOUT_MS: a file that hangs (a child process
// that never answers, a server left listening) is killed and reported as a failure, so the
// run always ends with a summary instead of running into CI's own time limit. The slowest
// file takes about 5 minutes on a loaded 2-core machine.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function collect(dir) {
  const out = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...collect(path))
    else if (name.endsWith('.test.ts')) out.push(path)
  }
  return out
}

const FILE_TIMEOUT_MS = 15 * 60 * 1000

const filters = process.argv.slice(2)
const files = collect('test').filter(
  (f) => filters.length === 0 || filters.some((x) => f.includes(x)),
)
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    `--test-timeout=${FILE_TIMEOUT_MS}`,
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)
