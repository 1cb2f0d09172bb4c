/**
 * `npm run bench:package`: what a user of the published package gets. Packs msfl (which
 * builds dist/), installs the tarball into an empty project, and measures there the start
 * of `msfl --help` against `node -e 0` in the same run, the size of the tarball and of the
 * install. Writes the "Package" section of BENCHMARKS.md.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { KEPT_ACROSS_BENCH, writeSection } from './benchmarksFile.ts'
import { type BenchRow, fmt } from './measure.ts'

const RUNS = 21
const log = (text: string) => process.stderr.write(`${text}\n`)
const { NODE_OPTIONS: _dropped, ...env } = process.env

function sh(command: string, args: readonly string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

function bytesBelow(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.size
  return readdirSync(path).reduce((sum, name) => sum + bytesBelow(join(path, name)), 0)
}

/** Wall time of each command, interleaved run by run so both see the same machine load. */
function timeInterleaved(commands: Record<string, { args: readonly string[]; cwd: string }>) {
  const times: Record<string, number[]> = Object.fromEntries(
    Object.keys(commands).map((k) => [k, []]),
  )
  for (let run = 0; run <= RUNS; run++) {
    for (const [
      name,
      {
        args: [command, ...args],
        cwd,
      },
    ] of Object.entries(commands)) {
      const started = performance.now()
      const result = spawnSync(command!, args, { cwd, env, stdio: 'ignore' })
      const elapsed = performance.now() - started
      if (result.status !== 0) throw new Error(`${name} exited with ${result.status}`)
      if (run > 0) times[name]!.push(elapsed) // run 0 warms the file cache
    }
  }
  return Object.fromEntries(
    Object.entries(times).map(([name, list]) => {
      list.sort((a, b) => a - b)
      return [name, { median: list[Math.floor(list.length / 2)]!, min: list[0]! }]
    }),
  )
}

const repo = process.cwd()
const work = mkdtempSync(join(tmpdir(), 'msfl-bench-package-'))
try {
  log('npm pack…')
  sh('npm', ['pack', '--pack-destination', work], repo)
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!)
  const entries = sh('tar', ['-tzf', tarball], work).trim().split('\n').length
  const consumer = join(work, 'consumer')
  mkdirSync(consumer)
  writeFileSync(join(consumer, 'package.json'), '{"name":"bench-consumer","private":true}')
  log('npm install of the tarball…')
  sh('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], consumer)
  const bin = join(consumer, 'node_modules/.bin/msfl')

  log(`timing ${RUNS} starts of each…`)
  const t = timeInterleaved({
    node: { args: [process.execPath, '-e', '0'], cwd: consumer },
    msfl: { args: [bin, '--help'], cwd: consumer },
    npx: { args: ['npx', '--no-install', 'msfl', '--help'], cwd: consumer },
    // tsx is a development dependency: it resolves from the repository only.
    tsx: { args: [process.execPath, '--import', 'tsx', 'src/cli/main.ts', '--help'], cwd: repo },
  })
  const ms = (name: string) => `${fmt(t[name]!.median)} ms`
  const rows: BenchRow[] = [
    {
      name: '`msfl --help` (installed bin, compiled dist/)',
      value: `${fmt(t['msfl']!.median / 1000, 3)} s`,
      detail: `median of ${RUNS}, min ${fmt(t['msfl']!.min)} ms; \`node -e 0\` in the same run ${ms('node')}, so msfl adds ${fmt(t['msfl']!.median - t['node']!.median)} ms (target ≤ 0.4 s)`,
    },
    {
      name: '`npx msfl --help` (the same, through npm)',
      value: `${fmt(t['npx']!.median / 1000, 3)} s`,
      detail: `median of ${RUNS}; npm's own start is most of it`,
    },
    {
      name: '`msfl --help` from the TypeScript sources through tsx (development, as before the build)',
      value: `${fmt(t['tsx']!.median / 1000, 3)} s`,
      detail: `median of ${RUNS}, same run`,
    },
    {
      name: '`npm pack` tarball of msfl',
      value: `${fmt(statSync(tarball).size / 1e6, 2)} MB`,
      detail: `${entries} files, ${fmt(bytesBelow(join(consumer, 'node_modules/msfl')) / 1e6, 2)} MB unpacked (target ≤ 5 MB; datasets are in @msfl/datasets)`,
    },
    {
      name: 'install footprint of msfl with its dependencies',
      value: `${fmt(bytesBelow(join(consumer, 'node_modules')) / 1e6, 0)} MB`,
      detail: `${readdirSync(join(consumer, 'node_modules')).filter((n) => !n.startsWith('.')).length} top-level entries in node_modules (node-seal and viem are most of it)`,
    },
  ]
  const cpu = cpus()
  const section = [
    `## Package (\`npm run bench:package\`, ${KEPT_ACROSS_BENCH})`,
    '',
    `- date: ${new Date().toISOString()}; machine: ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${process.platform} ${process.arch}; Node.js ${process.version}`,
    '',
    '| benchmark | result | detail |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| ${r.name} | ${r.value} | ${r.detail} |`),
  ].join('\n')
  writeSection('## Package', section)
  process.stdout.write(`${section}\n`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
