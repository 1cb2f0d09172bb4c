import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { runCli, tempDir } from '../helpers/runCli.ts'

const base = [
  'simulate',
  '--dataset',
  'breast-cancer',
  '--model',
  'logistic',
  '--clients',
  '3',
  '--rounds',
  '2',
]

/** Fails with a non-zero code and one line on stderr that matches `pattern`, leaving no complete run. */
function assertRejected(args: string[], pattern: RegExp, env: Record<string, string> = {}): void {
  const out = tempDir()
  const r = runCli([...args, '--out', out], env)
  assert.notEqual(r.status, 0, `expected failure, stdout: ${r.stdout}`)
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('npm warn'))
  assert.equal(lines.length, 1, `one message, got: ${r.stderr}`)
  assert.match(lines[0]!, pattern)
  // Input is validated before anything is written: not even an incomplete run is left.
  assert.deepEqual(readdirSync(out), [])
}

describe('bad input exits non-zero with one message naming the field or file', () => {
  it('unknown dataset', () =>
    assertRejected(
      [...base, '--dataset', 'imagenet'],
      /dataset: unknown name 'imagenet' \(valid: .*mnist/,
    ))
  it('unknown dataset option', () =>
    assertRejected([...base, '--dataset', 'mnist:colour=true'], /colour/))
  it('negative rounds', () =>
    assertRejected([...base, '--rounds=-5'], /rounds \(--rounds\): .*>=1/))
  it('rounds that is not a number', () =>
    assertRejected([...base, '--rounds', 'ten'], /--rounds: expected a number, got "ten"/))
  it('a sampling fraction above 1', () =>
    assertRejected([...base, '--fraction', '1.5'], /sampling\.fraction \(--fraction\): .*<=1/))
  it('a malformed partition', () =>
    assertRejected([...base, '--partition', 'dirichlet:-1'], /partition \(--partition\)/))
  it('an unknown model', () =>
    assertRejected([...base, '--model', 'transformer'], /model: .*'transformer'.*valid kinds/))
  it('an unknown flag', () => assertRejected([...base, '--rouns', '3'], /--rouns/))
  it('min-clients above the number of clients', () =>
    assertRejected(
      [...base, '--min-clients', '9'],
      /sampling\.minClients \(--min-clients\): cannot exceed/,
    ))

  it('a config file with a syntax error names the file', () => {
    const dir = tempDir()
    const file = join(dir, 'broken.json')
    writeFileSync(file, '{ "rounds": 3, ')
    assertRejected(
      ['simulate', '--config', file],
      new RegExp(`${file.replace(/[.]/g, '\\.')}: not valid JSON`),
    )
  })

  it('a config file with an unknown or mistyped key names the field', () => {
    const dir = tempDir()
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, 'dataset: adult\nrounds: many\nlearning_rate: 0.1\n')
    assertRejected(
      ['simulate', '--config', file],
      /bad\.yaml: .*rounds \(--rounds\): .*expected number.*learning_rate/,
    )
  })

  it('a config file that does not exist', () =>
    assertRejected(
      ['simulate', '--config', '/nonexistent/x.yaml'],
      /\/nonexistent\/x\.yaml: cannot read config file \(ENOENT\)/,
    ))

  it('a corrupted data file is refused by its checksum, naming the file', () => {
    const data = tempDir('msfl-data-')
    mkdirSync(join(data, 'breast-cancer-wisconsin'))
    copyFileSync('packages/datasets/SHA256SUMS', join(data, 'SHA256SUMS'))
    const csv = readFileSync('packages/datasets/breast-cancer-wisconsin/breast_cancer.csv')
    csv[200] = csv[200] === 0x31 ? 0x32 : 0x31
    writeFileSync(join(data, 'breast-cancer-wisconsin/breast_cancer.csv'), csv)
    assertRejected(base, /breast-cancer-wisconsin\/breast_cancer\.csv: SHA-256 mismatch/, {
      MSFL_DATA_DIR: data,
    })
  })
})

describe('msfl datasets', () => {
  it('verifies every bundled file', () => {
    const r = runCli(['datasets', '--json'])
    assert.equal(r.status, 0, r.stderr)
    const report = JSON.parse(r.stdout) as {
      datasets: { name: string }[]
      verification: { ok: boolean; files: { status: string }[] }
    }
    assert.ok(report.verification.ok)
    assert.ok(report.verification.files.length >= 18)
    for (const name of ['mnist', 'adult', 'breast-cancer', 'digits', 'nsl-kdd', 'synthetic'])
      assert.ok(
        report.datasets.some((d) => d.name === name),
        name,
      )
  })
  it('reports a damaged file and exits non-zero', () => {
    const data = tempDir('msfl-data-')
    copyFileSync('packages/datasets/SHA256SUMS', join(data, 'SHA256SUMS'))
    const r = runCli(['datasets'], { MSFL_DATA_DIR: data })
    assert.notEqual(r.status, 0)
    assert.match(r.stdout, /missing: mnist\/train-images-idx3-ubyte\.gz/)
  })
})

describe('the msfl binary', () => {
  it('bin/msfl.js runs the CLI and lists its commands', () => {
    const r = spawnSync(process.execPath, ['bin/msfl.js', '--help'], { encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    for (const command of ['demo', 'simulate', 'datasets'])
      assert.match(r.stdout, new RegExp(`\\b${command}\\b`))
    const unknown = spawnSync(process.execPath, ['bin/msfl.js', 'frobnicate'], { encoding: 'utf8' })
    assert.equal(unknown.status, 2)
    assert.match(unknown.stderr, /unknown command "frobnicate"/)
  })
})
