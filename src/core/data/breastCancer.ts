import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import type { Dataset, DatasetSplit } from './dataset.ts'
import type { FeatureScalingPlan } from './featureScaling.ts'
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
/**
 * Declared upper bounds of the ten measurements (lower bounds are 0: they are lengths,
 * areas and ratios): the UCI summary's maxima rounded well outward, so no single row sets
 * a bound. Mean, standard error and worst value, in MEASUREMENTS order.
 */
const UPPER_BOUNDS = {
  mean: [40, 50, 250, 4000, 0.25, 0.5, 0.5, 0.25, 0.5, 0.15],
  error: [4, 6, 30, 800, 0.05, 0.2, 0.5, 0.08, 0.1, 0.05],
  worst: [50, 60, 350, 6000, 0.3, 1.5, 1.5, 0.4, 1, 0.3],
}

/** Every feature standardised by the job, each with its declared range [0, bound]. */
const BREAST_CANCER_SCALING: FeatureScalingPlan = {
  features: [...UPPER_BOUNDS.mean, ...UPPER_BOUNDS.error, ...UPPER_BOUNDS.worst].map(
    (hi, feature) => ({ feature, lo: 0, hi }),
  ),
}

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
 * Breast Cancer Wisconsin with a seeded stratified split (no official one exists). The
 * features stay raw: `scaling` declares their ranges and the job standardises them with
 * statistics its owners agree on (runtime/scaling).
 */
export function preprocessBreastCancer(text: string, rng: Rng, testFraction = 0.2): DatasetSplit {
  const { train, test } = stratifiedSplit(parseBreastCancer(text), testFraction, rng)
  return {
    train,
    test,
    scaling: BREAST_CANCER_SCALING,
    description:
      `Breast Cancer Wisconsin (Diagnostic): 30 features standardised with statistics the owners agree on; ` +
      `stratified split ${train.n}/${test.n} (test fraction ${testFraction}); 0 = malignant, 1 = benign`,
  }
}
