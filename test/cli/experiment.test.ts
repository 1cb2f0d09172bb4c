import assert from 'node:assert/strict'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { lastJsonLine, runCli, tempDir } from '../helpers/runCli.ts'

type Row = {
  aggregator: string
  attack: string
  f: number
  status: string
  accuracy: number | null
  attackSuccessRate: number | null
}

function writeMatrix(dir: string): string {
  const file = join(dir, 'matrix.yaml')
  writeFileSync(
    file,
    [
      'name: tiny',
      'base: { dataset: digits, model: softmax, clients: 5, rounds: 2, training: { learningRate: 0.05 } }',
      'aggregators: [fedavg, median, bulyan]',
      'attacks: [none, label-flip, "backdoor:size=2,boost=5"]',
      'malicious: [0.2]',
      'seeds: [3]',
    ].join('\n'),
  )
  return file
}

describe('msfl experiment', () => {
  for (const workers of ['1', '2']) {
    it(`runs the matrix on ${workers} worker(s) and writes CSV, JSON and an HTML report`, () => {
      const dir = tempDir()
      const r = runCli([
        'experiment',
        '--matrix',
        writeMatrix(dir),
        '--workers',
        workers,
        '--json',
        '--out',
        dir,
      ])
      assert.equal(r.status, 0, r.stderr)
      const summary = lastJsonLine(r.stdout) as { dir: string; results: Row[] }
      // 3 aggregators × (1 clean + 2 attacks × 1 fraction) × 1 seed
      assert.equal(summary.results.length, 9)
      const cell = (a: string, attack: string) =>
        summary.results.find((x) => x.aggregator === a && x.attack.startsWith(attack))!
      assert.match(cell('bulyan', 'label-flip').status, /^n\/a: .*bulyan.*4f \+ 3/)
      assert.equal(cell('median', 'label-flip').status, 'ok')
      assert.equal(cell('fedavg', 'none').f, 0)
      assert.equal(cell('fedavg', 'label-flip').f, 1)
      assert.ok(cell('fedavg', 'none').accuracy! > 0.5)
      assert.equal(typeof cell('fedavg', 'backdoor').attackSuccessRate, 'number')
      assert.equal(cell('fedavg', 'label-flip').attackSuccessRate, null)
      // A classification is judged by accuracy: every ok cell's line shows it, with its summary.
      for (const x of summary.results.filter((x) => x.status === 'ok'))
        assert.match(
          r.stderr,
          new RegExp(
            `${x.aggregator} × ${x.attack.replace(/[.:=,]/g, '.')} × f=${x.f} seed 3: accuracy ${(x.accuracy! * 100).toFixed(2)}%`,
          ),
        )
      assert.doesNotMatch(r.stderr, /RMSE/)
      assert.match(
        r.stderr,
        new RegExp(
          `summary \\(final test accuracy; mean over seeds\\):\\n {2}fedavg +clean ${(cell('fedavg', 'none').accuracy! * 100).toFixed(2)}%  worst under attack`,
        ),
      )
      // f comes from the default tolerance (floor(0.3 · 5) = 1), not from the cell's attackers:
      // Bulyan cannot hold it with 5 owners, clean cell included.
      assert.match(cell('bulyan', 'none').status, /^n\/a: .*bulyan.*got n = 5 with f = 1/)
      assert.match(r.stderr, /\n {2}bulyan +clean n\/a {2}3 of 3 cells did not run\n/)
      const files = readdirSync(summary.dir).sort()
      assert.deepEqual(files, ['matrix.json', 'report.html', 'results.csv', 'results.json'])
      const csv = readFileSync(join(summary.dir, 'results.csv'), 'utf8').trim().split('\n')
      assert.equal(csv.length, 10)
      assert.match(
        csv[0]!,
        /^index,aggregator,privacy,clients,attack,malicious,f,seed,status,accuracy/,
      )
      const html = readFileSync(join(summary.dir, 'report.html'), 'utf8')
      assert.ok(
        html.includes('Attack: label-flip') &&
          html.includes('attack success rate') &&
          html.includes('<svg'),
      )
    })
  }

  it('crosses update protections: plain, CKKS and DP rows, ε in the report', () => {
    const dir = tempDir()
    const file = join(dir, 'privacy.json')
    writeFileSync(
      file,
      JSON.stringify({
        name: 'privacy',
        base: { dataset: 'digits', model: 'softmax', clients: 4, rounds: 2 },
        aggregators: ['fedavg'],
        attacks: ['none'],
        malicious: [0.25],
        privacy: ['none', 'ckks', 'dp:epsilon=5,delta=1e-4'],
        seeds: [3],
      }),
    )
    const r = runCli(['experiment', '--matrix', file, '--workers', '1', '--json', '--out', dir])
    assert.equal(r.status, 0, r.stderr)
    const summary = lastJsonLine(r.stdout) as {
      dir: string
      results: (Row & { privacy: string; epsilon: number | null })[]
    }
    const by = (privacy: string) => summary.results.find((x) => x.privacy === privacy)!
    assert.equal(summary.results.length, 3)
    assert.ok(Math.abs(by('ckks').accuracy! - by('none').accuracy!) < 0.001)
    assert.equal(by('none').epsilon, null)
    assert.ok(by('dp:epsilon=5,delta=1e-4').epsilon! <= 5)
    const html = readFileSync(join(summary.dir, 'report.html'), 'utf8')
    assert.ok(html.includes('fedavg + ckks') && html.includes('<th>ε</th>'))
    assert.ok(html.includes('ε per round (cumulative)'))
  })

  it('seed-002: linear regression, secret sharing and CKKS reach the plain RMSE for 2 and 8 owners', () => {
    const dir = tempDir()
    const r = runCli([
      'experiment',
      '--preset',
      'seed-002',
      '--rounds',
      '3',
      '--json',
      '--out',
      dir,
    ])
    assert.equal(r.status, 0, r.stderr)
    const summary = lastJsonLine(r.stdout) as {
      dir: string
      results: (Row & {
        privacy: string
        clients: number
        rmse: number
        rmseByRound: number[]
        msPerRound: number
        bytesPerRound: number
      })[]
    }
    // 2 owner counts × 3 protections × (clean + gaussian at 2 fractions)
    assert.equal(summary.results.length, 18)
    for (const clients of [2, 8]) {
      const clean = (privacy: string) =>
        summary.results.find(
          (x) => x.clients === clients && x.privacy === privacy && x.attack === 'none',
        )!
      const plain = clean('none')
      assert.equal(plain.rmseByRound.length, 3)
      assert.ok(plain.bytesPerRound > 0 && plain.msPerRound >= 0)
      // Quantisation (secagg, 2^32 levels) and CKKS error are far below 1e-6 here.
      for (const privacy of ['secagg:clip=10', 'ckks'])
        for (const [i, v] of clean(privacy).rmseByRound.entries())
          assert.ok(Math.abs(v - plain.rmseByRound[i]!) < 1e-6, `${privacy} round ${i + 1}`)
      assert.ok(clean('ckks').bytesPerRound > plain.bytesPerRound)
    }
    // A regression is judged by its RMSE on the console too (progress on stderr with --json).
    const progress = r.stderr.split('\n').filter((l) => /^ {2}\[ ?\d+\/18\]/.test(l))
    assert.equal(progress.length, 18)
    for (const line of progress) {
      assert.doesNotMatch(line, /accuracy/)
      const row = summary.results.find(
        (x) =>
          line.includes(
            `${x.privacy === 'none' ? 'fedavg' : `fedavg + ${x.privacy}`}, n=${x.clients} × ${x.attack} × f=${x.f} `,
          ) && line.includes(`RMSE ${x.rmse.toPrecision(5)} `),
      )
      assert.ok(row, `a progress line with its cell's owner count and RMSE: ${line}`)
    }
    const plain8 = summary.results.find(
      (x) => x.clients === 8 && x.privacy === 'none' && x.attack === 'none',
    )!
    const worst8 = Math.max(
      ...summary.results
        .filter((x) => x.clients === 8 && x.privacy === 'none' && x.attack !== 'none')
        .map((x) => x.rmse),
    )
    assert.match(r.stderr, /summary \(final test RMSE, lower is better; mean over seeds\):/)
    assert.match(
      r.stderr,
      new RegExp(
        `\\n {2}fedavg, n = 8 +clean ${plain8.rmse.toPrecision(5)} {2}worst under attack ${worst8.toPrecision(5)} \\(gaussian:sigma=1, f=\\d\\)\\n`,
      ),
    )
    const html = readFileSync(join(summary.dir, 'report.html'), 'utf8')
    assert.ok(
      html.includes('clean runs: test RMSE per round') &&
        html.includes('fedavg + secagg:clip=10, n = 8'),
    )
  })

  it('crosses variants (dataset and model pairs) with plain and Paillier: per-variant report, details in JSON only', () => {
    const dir = tempDir()
    const file = join(dir, 'variants.json')
    const synthetic = 'synthetic:devices=4,classes=3,features=4,samples=30,testSamples=20'
    writeFileSync(
      file,
      JSON.stringify({
        name: 'variants',
        base: { dataset: synthetic, model: 'softmax', rounds: 2, partition: 'natural' },
        variants: [
          { name: 'IoT, 4 devices', set: { rounds: 3 } },
          {
            name: 'binary, logistic',
            set: { dataset: synthetic.replace('classes=3', 'classes=2'), model: 'logistic' },
          },
        ],
        aggregators: ['fedavg'],
        attacks: ['none'],
        malicious: [0.25],
        clients: [4],
        privacy: ['none', 'paillier'],
        seeds: [3],
      }),
    )
    const r = runCli(['experiment', '--matrix', file, '--workers', '2', '--json', '--out', dir])
    assert.equal(r.status, 0, r.stderr)
    const summary = lastJsonLine(r.stdout) as {
      dir: string
      results: (Row & { variant: string; privacy: string; precision: number })[]
    }
    assert.deepEqual(
      summary.results.map((x) => `${x.variant}/${x.privacy}`),
      [
        'IoT, 4 devices/none',
        'IoT, 4 devices/paillier',
        'binary, logistic/none',
        'binary, logistic/paillier',
      ],
    )
    assert.ok(summary.results.every((x) => x.status === 'ok' && typeof x.precision === 'number'))
    assert.equal('confusionMatrix' in summary.results[0]!, false)
    const json = JSON.parse(readFileSync(join(summary.dir, 'results.json'), 'utf8')) as {
      results: { variant: string; accuracyByRound: number[]; confusionMatrix: number[][] }[]
    }
    assert.deepEqual(
      json.results.map((x) => [x.accuracyByRound.length, x.confusionMatrix.length]),
      [
        [3, 3],
        [3, 3],
        [2, 2],
        [2, 2],
      ],
    )
    const csv = readFileSync(join(summary.dir, 'results.csv'), 'utf8').trim().split('\n')
    assert.match(csv[0]!, /^index,variant,aggregator,privacy,clients,.*,precision,recall,f1,auc,/)
    assert.doesNotMatch(csv[0]!, /confusionMatrix|roc|classNames|epsilonByRound|accuracyByRound/)
    assert.match(csv[1]!, /^0,"IoT, 4 devices",fedavg,none,4,/)
    const html = readFileSync(join(summary.dir, 'report.html'), 'utf8')
    for (const part of [
      'final model per variant',
      'Protection overhead (clean runs)',
      'IoT, 4 devices: test accuracy per round',
      'aria-label="fedavg + paillier: confusion matrix"',
      'aria-label="ROC (micro-averaged over classes)"',
      '<th rowspan="2">binary, logistic</th>',
    ])
      assert.ok(html.includes(part), part)
  })

  it('rejects a bad matrix naming the field, and unknown presets', () => {
    const dir = tempDir()
    const file = join(dir, 'bad.json')
    writeFileSync(file, JSON.stringify({ aggregators: [], attacks: ['none'], malicious: [1.5] }))
    const r = runCli(['experiment', '--matrix', file, '--out', dir])
    assert.equal(r.status, 2)
    assert.match(r.stderr, /bad\.json: aggregators: .*; malicious\.0: /)
    const p = runCli(['experiment', '--preset', 'nope', '--out', dir])
    assert.equal(p.status, 2)
    assert.match(
      p.stderr,
      /--preset: unknown preset 'nope' \(valid: msfl-paper, seed-002, seed-003, seed-004, adrm, non-iid\)/,
    )
    assert.deepEqual(readdirSync(dir), ['bad.json'], 'nothing written')
  })
})
