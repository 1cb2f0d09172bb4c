import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import type { Dataset, DatasetSplit } from './dataset.ts'
import { standardizeSplit } from './standardize.ts'
import { stratifiedSplit } from './stratifiedSplit.ts'
import { parseNumberField, parseTextRecords } from './textRecords.ts'

/** scikit-learn's feature names; its CSV header carries counts and class names only. */
const MEASUREMENTS = [
  'radius',
  'texture',
  'perimeter',
  'area',
  'smoothness',
  'compactness',
  'concavity',
  'concave points',
  'symmetry',
  'fractal dimension',
]
export const BREAST_CANCER_FEATURES: readonly string[] = [
  ...MEASUREMENTS.map((m) => `mean ${m}`),
  ...MEASUREMENTS.map((m) => `${m} error`),
  ...MEASUREMENTS.map((m) => `worst ${m}`),
]

/**
 * Parses scikit-learn's `breast_cancer.csv`: a header `rows,features,class0,class1`, then
 * rows of features and the target (0 = malignant, 1 = benign). Features are raw.
 */
export function parseBreastCancer(
  text: string,
  source = 'breast-cancer-wisconsin/breast_cancer.csv',
): Dataset {
  const newline = text.indexOf('\n')
  const header = (newline < 0 ? text : text.slice(0, newline)).trim().split(',')
  const n = Number(header[0])
  const d = Number(header[1])
  if (header.length !== 4 || !Number.isInteger(n) || d !== BREAST_CANCER_FEATURES.length) {
    throw new MsflError(
      'DATA_FORMAT',
      `${source}: header '${header.join(',')}' is not 'rows,${BREAST_CANCER_FEATURES.length},class0,class1'`,
    )
  }
  const classNames = [header[2]!, header[3]!]
  const records = parseTextRecords(text, source, { fieldCount: d + 1, headerLines: 1 })
  if (records.length !== n) {
    throw new MsflError(
      'DATA_FORMAT',
      `${source}: header announces ${n} rows, found ${records.length}`,
    )
  }
  const x = new Float32Array(n * d)
  const y = new Float64Array(n)
  records.forEach((record, i) => {
    for (let j = 0; j < d; j++) {
      x[i * d + j] = parseNumberField(
        record.fields[j]!,
        source,
        record.line,
        BREAST_CANCER_FEATURES[j]!,
      )
    }
    const target = record.fields[d]!
    if (target !== '0' && target !== '1') {
      throw new MsflError(
        'DATA_FORMAT',
        `${source}: line ${record.line}: target '${target}' is not 0 or 1`,
      )
    }
    y[i] = Number(target)
  })
  return {
    name: 'breast-cancer',
    x,
    y,
    n,
    d,
    numClasses: 2,
    classNames,
    featureNames: BREAST_CANCER_FEATURES,
  }
}

/**
 * Breast Cancer Wisconsin with a seeded stratified split (no official one exists),
 * standardised with train statistics only.
 */
export function preprocessBreastCancer(text: string, rng: Rng, testFraction = 0.2): DatasetSplit {
  const split = stratifiedSplit(parseBreastCancer(text), testFraction, rng)
  const { train, test } = standardizeSplit(split.train, split.test)
  return {
    train,
    test,
    description:
      `Breast Cancer Wisconsin (Diagnostic): 30 features standardised with train stats; ` +
      `stratified split ${train.n}/${test.n} (test fraction ${testFraction}); 0 = malignant, 1 = benign`,
  }
}
