import assert from 'node:assert/strict'
import { type SpawnSyncReturns, spawnSync } from 'node:child_process'
import {
  copyFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'

// The package as a user gets it: `npm pack` (which builds dist/ through `prepare`), the
// tarball installed into an empty project, and everything below run there with plain
// Node (no tsx) against the installed files only.
const REPO = process.cwd()
const DATASETS = join(REPO, 'packages/datasets')
const TSC = join(REPO, 'node_modules/typescript/bin/tsc')
const EXAMPLES = join(REPO, 'examples/library')
// No loader or option of the test runner may leak into the consumer's processes.
const { NODE_OPTIONS: _dropped, MSFL_DATA_DIR: _unset, ...cleanEnv } = process.env

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...cleanEnv, ...env },
    // npm install on a busy 2-core machine has taken close to 5 minutes; a command that
    // outlives this is killed, and ok() says so rather than printing npm's empty output.
    timeout: 600_000,
  })
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  const ended = result.error
    ? `it could not run or was stopped: ${result.error.message}`
    : result.signal
      ? `it was killed by ${result.signal}`
      : `exit code ${result.status}`
  assert.equal(result.status, 0, `${what} failed (${ended}):\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesBelow(path) : [path]
  })
}

/**
 * Hard-links the repository's installed production dependencies into the consumer's
 * node_modules, so that `npm install <tarball>` finds them in place and extracts only msfl:
 * extracting the ~250 MB of dependencies cost npm about 80 s of CPU per run. Only
 * production dependencies (`npm ls --omit=dev`): a dev-only package in the consumer would
 * hide a dependency the package forgot to declare. npm still checks the tree against the
 * tarball's declared ranges and installs whatever is missing or does not satisfy them.
 */
function seedProductionDependencies(consumer: string): void {
  const modules = join(REPO, 'node_modules')
  const listed = ok(run('npm', ['ls', '--omit=dev', '--all', '--parseable'], REPO), 'npm ls')
  for (const path of listed.trim().split('\n')) {
    const name = relative(modules, path)
    // The repository itself, workspace packages (symlinks), and packages nested in another
    // (linked with their parent) are not copied on their own.
    if (name.startsWith('..') || name === '' || name.includes('node_modules')) continue
    if (lstatSync(path).isSymbolicLink()) continue
    const target = join(consumer, 'node_modules', name)
    mkdirSync(dirname(target), { recursive: true })
    ok(run('cp', ['-al', path, target], consumer), `linking ${name}`)
  }
}

describe('msfl installed from its tarball', () => {
  let work: string
  let tarball: string
  let consumer: string
  let installed: string
  let bin: string

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'msfl-package-'))
    ok(run('npm', ['pack', '--pack-destination', work], REPO), 'npm pack')
    const packed = readdirSync(work).filter((f) => f.endsWith('.tgz'))
    assert.equal(packed.length, 1, `npm pack left ${packed.join(', ')}`)
    tarball = join(work, packed[0]!)
    consumer = join(work, 'consumer')
    mkdirSync(consumer)
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'msfl-consumer', private: true, type: 'module' }),
    )
    seedProductionDependencies(consumer)
    ok(
      run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], consumer),
      'npm install of the tarball',
    )
    installed = join(consumer, 'node_modules/msfl')
    bin = join(consumer, 'node_modules/.bin/msfl')
  })
  after(() => rmSync(work, { recursive: true, force: true }))

  it('the tarball holds the compiled package and nothing else, in well under 5 MB', () => {
    assert.ok(statSync(tarball).size < 5 * 1024 * 1024, `tarball is ${statSync(tarball).size} B`)
    const entries = ok(run('tar', ['-tzf', tarball], work), 'tar')
      .trim()
      .split('\n')
    const allowed =
      /^package\/(package\.json|README\.md|LICENSE|CHANGELOG\.md|bin\/msfl\.js|dist\/.+\.(js|d\.ts|mjs|json))$/
    for (const entry of entries) assert.match(entry, allowed)
    for (const needed of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/core/index.js',
      'dist/core/index.d.ts',
      'dist/cli/main.js',
      'dist/adapters/transport/typeScriptWorkerEntry.mjs',
      'dist/cli/msfl/ownerWorker.js',
      'dist/cli/experiment/cellWorker.js',
      'dist/adapters/ledger-evm/msflSettlement.artifact.json',
      'CHANGELOG.md',
    ])
      assert.ok(entries.includes(`package/${needed}`), `${needed} is not in the tarball`)
    assert.ok(!entries.some((e) => /\.gz$|SHA256SUMS|\/test\/|\/src\//.test(e)))
  })

  it('plain node imports msfl and msfl/core and runs a 2-round simulation', () => {
    const script = join(consumer, 'check.mjs')
    writeFileSync(
      script,
      `import * as msfl from 'msfl'
import * as core from 'msfl/core'
const where = { root: import.meta.resolve('msfl'), core: import.meta.resolve('msfl/core') }
const notShared = Object.keys(core).filter((name) => msfl[name] !== core[name])
const config = msfl.simulationConfigSchema.parse({
  dataset: 'synthetic:classes=3,features=6,devices=4,samples=60,testSamples=20',
  model: 'softmax', clients: 4, rounds: 2, partition: 'natural', seed: 9,
})
const data = await msfl.loadDataset(msfl.parseDatasetSpec(config.dataset), config.seed)
const events = []
const result = await msfl.runSimulation({
  runId: 'installed', plan: msfl.planFederatedRun(config), data,
  createTransport: (handlers) => msfl.createMemoryTransport({ handlers }),
  emit: (event) => events.push(event.type), now: Date.now,
})
let missing
try { await msfl.loadDataset(msfl.parseDatasetSpec('adult'), 1) } catch (error) { missing = { code: error.code, message: error.message } }
const fromDir = await msfl.loadDataset(msfl.parseDatasetSpec('breast-cancer'), 1, { dataDir: process.argv[2] })
console.log(JSON.stringify({
  where, notShared, coreExports: Object.keys(core).length,
  rounds: result.history.map((r) => r.round), accuracy: result.final.accuracy,
  completed: events.filter((t) => t === 'round-completed').length,
  missing, breastCancerRows: fromDir.train.n + fromDir.test.n,
}))
`,
    )
    const out = JSON.parse(ok(run(process.execPath, [script, DATASETS], consumer), 'check.mjs'))
    assert.equal(relative(installed, new URL(out.where.root).pathname), 'dist/index.js')
    assert.equal(relative(installed, new URL(out.where.core).pathname), 'dist/core/index.js')
    assert.deepEqual(out.notShared, [], 'msfl must re-export msfl/core unchanged')
    assert.ok(out.coreExports >= 40)
    assert.deepEqual(out.rounds, [1, 2])
    assert.equal(out.completed, 2)
    assert.ok(out.accuracy > 1 / 3, `accuracy ${out.accuracy} is no better than chance`)
    // Without @msfl/datasets the error names all three ways to provide the files.
    assert.equal(out.missing.code, 'DATA_MISSING')
    assert.match(out.missing.message, /dataDir.*MSFL_DATA_DIR.*@msfl\/datasets/)
    assert.equal(out.breastCancerRows, 569)
  })

  it('msfl/core reaches no Node built-in and nothing outside dist/core', () => {
    const coreDir = join(installed, 'dist/core')
    const js = filesBelow(coreDir).filter((f) => f.endsWith('.js'))
    assert.ok(js.length > 50)
    for (const file of js) {
      const source = readFileSync(file, 'utf8')
      for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        if (specifier!.startsWith('.')) {
          const target = resolve(dirname(file), specifier!)
          assert.ok(target.startsWith(coreDir), `${relative(installed, file)} imports ${specifier}`)
        } else assert.equal(specifier, 'zod', `${relative(installed, file)} imports ${specifier}`)
      }
    }
  })

  it('a strict TypeScript project compiles the examples against the shipped .d.ts, and they run', () => {
    const dir = join(consumer, 'examples')
    mkdirSync(dir)
    const names = readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts'))
    assert.deepEqual(names.sort(), [
      'customStrategy.ts',
      'customTransport.ts',
      'readEventStream.ts',
      'runSimulation.ts',
    ])
    for (const name of names) copyFileSync(join(EXAMPLES, name), join(dir, name))
    const tsconfig = JSON.parse(readFileSync(join(EXAMPLES, 'tsconfig.json'), 'utf8'))
    tsconfig.compilerOptions.typeRoots = [join(REPO, 'node_modules/@types')]
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig))
    ok(run(process.execPath, [TSC, '-p', dir], consumer), 'tsc on the examples')

    const expected: Record<string, RegExp> = {
      'runSimulation.js':
        /round 1: test accuracy [\d.]+\nround 2: test accuracy [\d.]+\nfinal accuracy/,
      'customStrategy.js': /round 3: 5 updates, accuracy [\d.]+/,
      'customTransport.js': /round 2: \d+ bytes sent over HTTP[\s\S]*final accuracy/,
      'readEventStream.js':
        /round-completed: 2[\s\S]*events logged to .*; the first is run-started/,
    }
    for (const [file, pattern] of Object.entries(expected)) {
      const out = ok(run(process.execPath, [join(dir, 'dist', file)], consumer), file)
      assert.match(out, pattern, file)
    }

    // The declarations are real types, not `any`: a wrong call does not compile.
    writeFileSync(
      join(dir, 'wrong.ts'),
      `import { runFederation, simulationConfigSchema } from 'msfl'
const config = simulationConfigSchema.parse({})
const rounds: string = config.rounds
void runFederation({ rounds })
`,
    )
    writeFileSync(
      join(dir, 'tsconfig.wrong.json'),
      JSON.stringify({
        ...tsconfig,
        include: ['wrong.ts'],
        compilerOptions: { ...tsconfig.compilerOptions, noEmit: true },
      }),
    )
    const wrong = run(process.execPath, [TSC, '-p', join(dir, 'tsconfig.wrong.json')], consumer)
    assert.notEqual(wrong.status, 0)
    assert.match(wrong.stdout, /wrong\.ts\(3,7\): error TS2322/)
    assert.match(
      wrong.stdout,
      /wrong\.ts\(4,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    )
  })

  it('npx msfl --help runs the installed, compiled CLI', () => {
    const help = ok(run('npx', ['--no-install', 'msfl', '--help'], consumer), 'npx msfl --help')
    for (const command of ['demo', 'simulate', 'experiment', 'chain', 'datasets'])
      assert.match(help, new RegExp(`^  ${command}\\b`, 'm'))
    const unknown = run(bin, ['toString'], consumer)
    assert.equal(unknown.status, 2)
    assert.match(unknown.stderr, /unknown command "toString"/)
  })

  it('msfl datasets names the three ways to provide data, and reads MSFL_DATA_DIR', () => {
    const none = run(bin, ['datasets'], consumer)
    assert.equal(none.status, 2, none.stderr)
    assert.match(
      none.stderr,
      /no dataset folder: pass the dataDir option, set MSFL_DATA_DIR, or install @msfl\/datasets/,
    )
    const withDir = run(bin, ['datasets'], consumer, { MSFL_DATA_DIR: DATASETS })
    assert.equal(withDir.status, 0, withDir.stderr)
    assert.match(withDir.stdout, /files: 18 ok/)
  })

  it('the WebAssembly backends (node-seal, gmp-wasm) and the worker threads run from the install', () => {
    const out = join(work, 'runs')
    const base = [
      'simulate',
      '--dataset',
      'synthetic:classes=2,features=4,devices=3,samples=30,testSamples=10',
      '--model',
      'logistic',
      '--clients',
      '3',
      '--rounds',
      '1',
      '--partition',
      'natural',
      '--out',
      out,
      '--quiet',
      '--json',
    ]
    for (const privacy of ['ckks', 'paillier']) {
      const stdout = ok(run(bin, [...base, '--privacy', privacy], consumer), `--privacy ${privacy}`)
      const summary = JSON.parse(stdout.trim().split('\n').at(-1)!)
      assert.equal(summary.history.length, 1, privacy)
      assert.ok(summary.history[0].protectedBytesPerClient > 0, privacy)
    }
    const matrix = join(work, 'matrix.json')
    writeFileSync(
      matrix,
      JSON.stringify({
        name: 'installed',
        base: Object.fromEntries([
          ['dataset', base[2]],
          ['model', 'logistic'],
          ['clients', 3],
          ['rounds', 1],
          ['partition', 'natural'],
        ]),
        aggregators: ['fedavg', 'median'],
        attacks: ['none'],
        malicious: [0],
        seeds: [1],
      }),
    )
    const experiment = run(
      bin,
      ['experiment', '--matrix', matrix, '--workers', '2', '--out', out, '--json'],
      consumer,
    )
    assert.equal(experiment.status, 0, experiment.stderr)
    assert.match(experiment.stderr, /2 runs on 2 worker\(s\)/)
    const table = JSON.parse(experiment.stdout.trim().split('\n').at(-1)!)
    assert.deepEqual(
      table.results.map((r: { status: string }) => r.status),
      ['ok', 'ok'],
    )
  })
})
