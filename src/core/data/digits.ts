import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import type { Dataset, DatasetSplit } from './dataset.ts'
import { stratifiedSplit } from './stratifiedSplit.ts'
import { parseTextRecords } from './textRecords.ts'

const SIDE = 8
const PIXELS = SIDE * SIDE
/** Each pixel counts the "on" cells of a 4×4 block, so 16 is full ink. */
const MAX_PIXEL = 16

const DIGIT_CLASS_NAMES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']

/** Parses the decompressed `digits.csv`: 64 pixel counts (0-16) and the label per line. */
export function parseDigits(text: string, source = 'digits/digits.csv'): Dataset {
  const records = parseTextRecords(text, source, { fieldCount: PIXELS + 1 })
  const n = records.length
  const x = new Float32Array(n * PIXELS)
  const y = new Float64Array(n)
  records.forEach((record, i) => {
    for (let j = 0; j <= PIXELS; j++) {
      const raw = record.fields[j]!
      const value = Number(raw)
      const max = j === PIXELS ? DIGIT_CLASS_NAMES.length - 1 : MAX_PIXEL
      if (raw === '' || !Number.isInteger(value) || value < 0 || value > max) {
        const what = j === PIXELS ? 'label' : `pixel ${j}`
        throw new MsflError(
          'DATA_FORMAT',
          `${source}: line ${record.line}: ${what} '${raw}' is not an integer in 0..${max}`,
        )
      }
      if (j === PIXELS) y[i] = value
      else x[i * PIXELS + j] = value / MAX_PIXEL
    }
  })
  const featureNames: string[] = []
  for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) featureNames.push(`px_${r}_${c}`)
  return {
    name: 'digits',
    x,
    y,
    n,
    d: PIXELS,
    numClasses: DIGIT_CLASS_NAMES.length,
    classNames: DIGIT_CLASS_NAMES,
    featureNames,
  }
}

/** UCI 8×8 digits, pixels scaled to [0, 1], with a seeded stratified split. */
export function preprocessDigits(text: string, rng: Rng, testFraction = 0.2): DatasetSplit {
  const { train, test } = stratifiedSplit(parseDigits(text), testFraction, rng)
  return {
    train,
    test,
    description:
      `UCI optical digits 8x8: 64 pixels / 16 in [0, 1]; stratified split ${train.n}/${test.n} ` +
      `(test fraction ${testFraction})`,
  }
}
