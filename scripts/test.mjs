#!/usr/bin/env node
// Node 20's test runner has no glob support, so collect test files here and hand
// them to `node --test`. Extra arguments are passed through (e.g. a file filter).
// Every test file must finish within FILE_TIMEOUT_MS: a file that hangs (a child process
// that never answers, a server left listening) is killed and reported as a failure, so the
// run always ends with a summary instead of running into CI's own time limit. The slowest
// file takes about 5 minutes on a loaded 2-core machine.
import { spawn, spawnSync } from 'node:child_process'
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
// The multi-process tests start the compiled CLI (test/helpers/cli.ts): build it from
// this checkout's src/ first, so that they run exactly this code.
const build = spawnSync(process.execPath, ['scripts/build.mjs', '.test-build'], {
  stdio: 'inherit',
})
if (build.status !== 0) {
  process.stderr.write('npm test: building .test-build failed\n')
  process.exit(build.status ?? 1)
}

// The run is its own process group: a test file killed at its time limit cannot stop the
// processes it started (servers, owners, anvil, a PostgreSQL cluster), and they would outlive
// the run; once the runner is done, whatever is left of the group is killed with it. Only
// this run's processes are in the group.
const runner = spawn(
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
  { stdio: 'inherit', detached: true },
)
const killGroup = (signal) => {
  try {
    process.kill(-runner.pid, signal)
  } catch {
    // The group is already empty.
  }
}
// A terminal's Ctrl-C reaches the foreground group only; pass it on to the run's.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => killGroup(signal))
const status = await new Promise((resolve) =>
  runner.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
)
killGroup('SIGKILL')
process.exit(status)
