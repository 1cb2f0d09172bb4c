import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import {
  describeStrategy,
  parseStrategySpec,
  STRATEGY_NAMES,
} from '../../src/core/fl/parseStrategySpec.ts'
import { planRun } from '../../src/runtime/config/planRun.ts'
import {
  type SimulationConfigInput,
  simulationConfigSchema,
} from '../../src/runtime/config/simulationConfig.ts'

const configInvalid = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'CONFIG_INVALID' && pattern.test(e.message)

describe('--strategy', () => {
  it('parses every strategy with the documented defaults and typed options', () => {
    assert.deepEqual(STRATEGY_NAMES, [
      'fedavg',
      'fedsgd',
      'fedprox',
      'scaffold',
      'fedavgm',
      'fedadagrad',
      'fedadam',
      'fedyogi',
    ])
    const cases: [string, string][] = [
      ['fedavg', 'fedavg'],
      ['fedsgd', 'fedsgd'],
      ['fedprox', 'fedprox:mu=0.01'],
      ['fedprox:mu=0.1', 'fedprox:mu=0.1'],
      ['scaffold', 'scaffold:lr=1'],
      ['fedavgm:momentum=0.5', 'fedavgm:lr=1,momentum=0.5'],
      ['fedadagrad', 'fedadagrad:lr=0.1,beta1=0.9,tau=0.001'],
      ['fedadam:lr=0.03', 'fedadam:lr=0.03,beta1=0.9,beta2=0.99,tau=0.001'],
      ['FedYogi:tau=0.01', 'fedyogi:lr=0.01,beta1=0.9,beta2=0.99,tau=0.01'],
    ]
    for (const [text, canonical] of cases)
      assert.equal(describeStrategy(parseStrategySpec(text)), canonical, text)
  })

  it('refuses unknown strategies, unknown options and values out of range, naming them', () => {
    const bad: [string, RegExp][] = [
      [
        'fedsomething',
        /^strategy: unknown strategy 'fedsomething'; valid: fedavg, fedsgd, fedprox/,
      ],
      ['fedprox:m=1', /^strategy fedprox: unknown option 'm' \(valid: mu\)/],
      ['fedadagrad:beta2=0.9', /^strategy fedadagrad: unknown option 'beta2'/],
      [
        'fedavgm:momentum=1',
        /^strategy fedavgm: option 'momentum' must be a number in 0\.\.0\.999/,
      ],
      [
        'fedadam:lr=0',
        /option 'lr' must be a number in 0\.000001\.\.100|option 'lr' must be a number in 1e-6\.\.100/,
      ],
      ['fedprox:mu=-1', /option 'mu' must be a number in 0\.\.1000/],
    ]
    for (const [text, pattern] of bad)
      assert.throws(() => parseStrategySpec(text), configInvalid(pattern), text)
    // The config names the field.
    const parsed = simulationConfigSchema.safeParse({ strategy: 'fedprox:mu=-1' })
    assert.equal(parsed.success, false)
    assert.deepEqual(parsed.error!.issues[0]!.path, ['strategy'])
  })
})

describe('strategies that cannot run with a combination are refused in planRun, naming the field', () => {
  const plan = (input: SimulationConfigInput) =>
    planRun(simulationConfigSchema.parse({ clients: 10, ...input }))

  it('accepts the combinations that work', () => {
    for (const strategy of STRATEGY_NAMES) plan({ strategy })
    plan({ strategy: 'fedadam', aggregator: 'median' })
    plan({ strategy: 'fedprox', privacy: 'secagg' })
    plan({ strategy: 'scaffold', defence: 'adrm' })
    plan({ strategy: 'fedprox', verify: 'smpc' })
  })

  it('refuses each combination that does not', () => {
    const refused: [SimulationConfigInput, RegExp][] = [
      [
        { strategy: 'scaffold', aggregator: 'krum' },
        /^aggregator: scaffold averages every client's control variate change unscreened/,
      ],
      [
        { strategy: 'scaffold', privacy: 'ckks' },
        /^privacy: ckks releases only the mean update.*not scaffold:lr=1/,
      ],
      [
        { strategy: 'fedadam', privacy: 'secagg' },
        /^privacy: secagg releases only the mean update.*not fedadam/,
      ],
      [{ strategy: 'fedavgm', privacy: 'paillier' }, /^privacy: paillier .*not fedavgm/],
      [
        { strategy: 'fedprox', privacy: 'dp' },
        /^privacy: dp trains with DP-SGD inside FedAvg rounds; use strategy fedavg, not fedprox:mu=0.01/,
      ],
      [
        { strategy: 'scaffold', privacy: 'dp:level=client' },
        /^privacy: dp level=client averages client updates .*not scaffold/,
      ],
      [
        { strategy: 'scaffold', verify: 'smpc' },
        /^verify: .*use strategy fedavg or fedprox, not scaffold:lr=1/,
      ],
      [{ strategy: 'fedyogi', verify: 'smpc' }, /^verify: .*not fedyogi/],
      [
        { strategy: 'fedprox', protocol: 'msfl' },
        /^strategy: the msfl protocol runs its own rounds/,
      ],
    ]
    for (const [input, pattern] of refused)
      assert.throws(() => plan(input), configInvalid(pattern), JSON.stringify(input))
  })
})
