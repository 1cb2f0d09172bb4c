import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parseCommandArgs } from '../../src/cli/parseCommandArgs.ts'
import { simulationFlags } from '../../src/cli/simulationFlags.ts'
import { runCli, tempDir } from '../helpers/runCli.ts'

const small = [
  '--dataset',
  'breast-cancer',
  '--model',
  'logistic',
  '--clients',
  '3',
  '--rounds',
  '1',
]

/** The one stderr line of a rejected command; it must exit 2 and leave no run behind. */
function rejection(args: readonly string[]): string {
  const out = tempDir()
  const r = runCli([...args, '--out', out])
  assert.equal(r.status, 2, `expected a usage error, stdout: ${r.stdout} stderr: ${r.stderr}`)
  assert.deepEqual(readdirSync(out), [])
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('npm warn'))
  assert.equal(lines.length, 1, r.stderr)
  return lines[0]!
}

describe('msfl --help', () => {
  it('separates every command name from its summary, summaries in one column', () => {
    const r = runCli(['--help'])
    assert.equal(r.status, 0, r.stderr)
    const rows = r.stdout.split('\n').filter((l) => /^ {2}[a-z]/.test(l))
    assert.deepEqual(
      rows.map((l) => l.trim().split(/\s+/)[0]),
      [
        'demo',
        'simulate',
        'experiment',
        'chain',
        'datasets',
        'pki',
        'server',
        'owner',
        'requestor',
        'verifier',
        'key-holder',
        'deploy',
        'runs',
        'run',
      ],
    )
    const columns = rows.map((l) => {
      const m = /^ {2}([a-z-]+)( {2,})\S/.exec(l)
      assert.ok(m, `two or more spaces after the name: ${JSON.stringify(l)}`)
      return 2 + m[1]!.length + m[2]!.length
    })
    assert.equal(new Set(columns).size, 1, `summaries start in one column: ${columns}`)
  })
})

describe('a negative number after a space is the flag value, as after =', () => {
  it('every numeric flag of simulate: -3 after a space gives exactly the errors of =-3', () => {
    const numeric = simulationFlags.filter((f) => f.type === 'number')
    assert.ok(numeric.length >= 10)
    // The config is validated as a whole, so one run reports every flag's range error.
    const spaced = rejection([
      'simulate',
      ...small,
      ...numeric.flatMap((f) => [`--${f.flag}`, '-3']),
    ])
    assert.doesNotMatch(spaced, /ambiguous/)
    for (const f of numeric)
      assert.match(
        spaced,
        new RegExp(
          `${f.path.join('\\.')} \\(--${f.flag}\\): Too small: expected number to be >=?[012]`,
        ),
        f.flag,
      )
    assert.equal(spaced, rejection(['simulate', ...small, ...numeric.map((f) => `--${f.flag}=-3`)]))
  })

  it('demo, experiment and chain take negative values the same way', () => {
    assert.match(
      rejection(['demo', '--rounds', '-3']),
      /^msfl demo: rounds \(--rounds\): Too small/,
    )
    assert.match(
      rejection(['experiment', '--preset', 'seed-002', '--workers', '-2']),
      /^msfl experiment: --workers: expected a positive integer, got "-2"$/,
    )
    assert.match(
      rejection(['chain', 'table', '--round', '-0.5', '--run', 'none']),
      /^msfl chain: --round: must be a whole number ≥ 1, got "-0\.5"$/,
    )
  })

  it('only joins values that look like negative numbers, and nothing after --', () => {
    const options = { rounds: { type: 'string' }, quiet: { type: 'boolean' } } as const
    const parsed = parseCommandArgs({
      args: ['--rounds', '-.5', '--quiet', '--', '--rounds', '-3'],
      options,
      allowPositionals: true,
    })
    assert.equal(parsed.values.rounds, '-.5')
    assert.equal(parsed.values.quiet, true)
    assert.deepEqual(parsed.positionals, ['--rounds', '-3'])
    // A boolean flag takes no value: -3 after it stays an (unknown) option.
    assert.throws(
      () => parseCommandArgs({ args: ['--quiet', '-3'], options, strict: true }),
      /Unknown option '-3'/,
    )
    // Something that is not a number after a value flag keeps Node's ambiguity check.
    assert.throws(
      () => parseCommandArgs({ args: ['--rounds', '-x'], options, strict: true }),
      /ambiguous/,
    )
  })
})
