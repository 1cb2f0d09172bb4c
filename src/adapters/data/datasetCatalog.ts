import { preprocessAdult } from '../../core/data/adult.ts'
import { preprocessBreastCancer } from '../../core/data/breastCancer.ts'
import type { DatasetSplit } from '../../core/data/dataset.ts'
import { preprocessDigits } from '../../core/data/digits.ts'
import {
  FASHION_MNIST_CLASS_NAMES,
  imageDataset,
  MNIST_CLASS_NAMES,
} from '../../core/data/imageDataset.ts'
import { generateLinearRegression } from '../../core/data/linearRegressionData.ts'
import { preprocessNslKdd } from '../../core/data/nslKdd.ts'
import { parseIdxImages, parseIdxLabels } from '../../core/data/parseIdx.ts'
import { DEFAULT_SYNTHETIC_OPTIONS, generateSynthetic } from '../../core/data/synthetic.ts'
import type { Rng } from '../../core/rng/rng.ts'
import { createSeededRng, deriveSeed } from '../../core/rng/seededRng.ts'
import type { OptionSchema, OptionSpec, ResolvedOptions } from '../../core/spec/specOptions.ts'

/** How a loader gets verified file contents (paths relative to the data folder). */
export interface FileSource {
  bytes(file: string): Promise<Uint8Array>
  text(file: string): Promise<string>
}

export interface DatasetEntry {
  readonly name: string
  readonly description: string
  /** Every file of the dataset in the data folder (data and documentation). */
  readonly files: readonly string[]
  readonly licence: string
  readonly citation: string
  readonly options: OptionSchema
  load(source: FileSource, options: ResolvedOptions, seed: number): Promise<DatasetSplit>
}

const IDX_FILES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
] as const

const IMAGE_OPTIONS: OptionSchema = {
  l2: { kind: 'boolean', default: false, description: 'scale every image to unit L2 norm' },
  downsample: {
    kind: 'choice',
    values: [28, 14, 7],
    default: 28,
    description: 'output side: 14 = 2x2 average pooling, 7 = 4x4',
  },
}

const SPLIT_OPTIONS: OptionSchema = {
  testFraction: {
    kind: 'number',
    default: 0.2,
    min: 0.05,
    max: 0.5,
    description: 'share of each class held out for test (seeded stratified split)',
  },
}

/** MNIST and Fashion-MNIST share format and preprocessing; only names and classes differ. */
function imageEntry(
  name: string,
  folder: string,
  classNames: readonly string[],
  info: { description: string; licence: string; citation: string },
): DatasetEntry {
  return {
    name,
    ...info,
    files: IDX_FILES.map((file) => `${folder}/${file}`),
    options: IMAGE_OPTIONS,
    async load(source, options) {
      const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
        IDX_FILES.map((file) => source.bytes(`${folder}/${file}`)),
      )
      const imageOptions = { l2: options['l2'] === true, downsample: Number(options['downsample']) }
      const build = (images: Uint8Array, labels: Uint8Array, prefix: 'train' | 't10k') =>
        imageDataset(
          name,
          parseIdxImages(images, `${folder}/${prefix}-images-idx3-ubyte`),
          parseIdxLabels(labels, `${folder}/${prefix}-labels-idx1-ubyte`),
          classNames,
          imageOptions,
        )
      const train = build(trainImages!, trainLabels!, 'train')
      const side = imageOptions.downsample
      return {
        train,
        test: build(testImages!, testLabels!, 't10k'),
        description:
          `${info.description}: ${side}x${side} pixels / 255 in [0, 1]` +
          `${side === 28 ? '' : ' (average pooled)'}${imageOptions.l2 ? ', rows scaled to unit L2 norm' : ''}`,
      }
    },
  }
}

const integerOption = (
  value: number,
  min: number,
  max: number,
  description: string,
): OptionSpec => ({
  kind: 'number',
  integer: true,
  default: value,
  min,
  max,
  description,
})

const realOption = (value: number, description: string): OptionSpec => ({
  kind: 'number',
  default: value,
  min: 0,
  max: 1000,
  description,
})

const splitRng = (seed: number, name: string) => createSeededRng(deriveSeed(seed, 'dataset', name))

/** Breast cancer and digits: one CSV, held out by a seeded stratified split of each class. */
function stratifiedCsvEntry(
  name: string,
  csv: string,
  preprocess: (text: string, rng: Rng, testFraction: number) => DatasetSplit,
  info: { description: string; files: readonly string[]; licence: string; citation: string },
): DatasetEntry {
  return {
    name,
    ...info,
    options: SPLIT_OPTIONS,
    async load(source, options, seed) {
      const text = await source.text(csv)
      return preprocess(text, splitRng(seed, name), Number(options['testFraction']))
    },
  }
}

export const DATASET_CATALOG: readonly DatasetEntry[] = [
  imageEntry('mnist', 'mnist', MNIST_CLASS_NAMES, {
    description: 'MNIST handwritten digits, 10 classes, 60,000 / 10,000 images',
    licence: 'CC BY-SA 3.0',
    citation:
      'Yann LeCun, Corinna Cortes and Christopher J.C. Burges, the MNIST database of handwritten digits (derived from NIST SD-3 / SD-1)',
  }),
  imageEntry('fashion-mnist', 'fashion-mnist', FASHION_MNIST_CLASS_NAMES, {
    description: 'Fashion-MNIST (Zalando) clothing images, 10 classes, 60,000 / 10,000 images',
    licence: 'MIT, Copyright (c) 2017 Zalando SE',
    citation:
      'Han Xiao, Kashif Rasul, Roland Vollgraf, "Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms", Zalando Research (2017), arXiv:1708.07747',
  }),
  {
    name: 'adult',
    description: 'UCI Adult census income, binary (>50K), 32,561 / 16,281 rows, 116 features',
    files: ['adult/adult.data.gz', 'adult/adult.test.gz', 'adult/adult.names'],
    licence: 'CC BY 4.0',
    citation:
      'Barry Becker and Ronny Kohavi, "Adult", UCI Machine Learning Repository (1996), DOI 10.24432/C5XW20',
    options: {},
    async load(source) {
      const [train, test] = await Promise.all([
        source.text('adult/adult.data.gz'),
        source.text('adult/adult.test.gz'),
      ])
      return preprocessAdult(train, test)
    },
  },
  stratifiedCsvEntry(
    'breast-cancer',
    'breast-cancer-wisconsin/breast_cancer.csv',
    preprocessBreastCancer,
    {
      description: 'Breast Cancer Wisconsin (Diagnostic), binary, 569 rows, 30 features',
      files: [
        'breast-cancer-wisconsin/breast_cancer.csv',
        'breast-cancer-wisconsin/breast_cancer.rst',
      ],
      licence: 'CC BY 4.0 (CSV layout and description: scikit-learn, BSD-3-Clause)',
      citation:
        'William Wolberg, Olvi Mangasarian, Nick Street, W. Street, "Breast Cancer Wisconsin (Diagnostic)", UCI Machine Learning Repository (1993/1995), DOI 10.24432/C5DW2B',
    },
  ),
  stratifiedCsvEntry('digits', 'digits/digits.csv.gz', preprocessDigits, {
    description: 'UCI optical handwritten digits 8x8, 10 classes, 1,797 rows, 64 features',
    files: ['digits/digits.csv.gz', 'digits/digits.rst'],
    licence: 'CC BY 4.0 (CSV packaging and description: scikit-learn, BSD-3-Clause)',
    citation:
      'E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine Learning Repository (1998), DOI 10.24432/C50P49',
  }),
  {
    name: 'nsl-kdd',
    description:
      'NSL-KDD network intrusion, 20% train subset (25,192 rows) and KDDTest+ (22,544) or KDDTest-21 (11,850), 125 features',
    files: [
      'nsl-kdd/KDDTrain+_20Percent.txt.gz',
      'nsl-kdd/KDDTest+.txt.gz',
      'nsl-kdd/KDDTest-21.txt.gz',
    ],
    licence:
      'no explicit licence from UNB; research use with the citation below (confirm before redistribution)',
    citation:
      'M. Tavallaee, E. Bagheri, W. Lu, A. Ghorbani, "A Detailed Analysis of the KDD CUP 99 Data Set", IEEE CISDA 2009 (Canadian Institute for Cybersecurity, University of New Brunswick)',
    options: {
      labels: {
        kind: 'choice',
        values: ['five', 'binary'],
        default: 'five',
        description: 'five = normal/DoS/Probe/R2L/U2R, binary = normal vs attack',
      },
      test: {
        kind: 'choice',
        values: ['full', 'hard'],
        default: 'full',
        description: 'full = KDDTest+, hard = KDDTest-21 (records most reference classifiers miss)',
      },
    },
    async load(source, options) {
      const testFile =
        options['test'] === 'hard' ? 'nsl-kdd/KDDTest-21.txt' : 'nsl-kdd/KDDTest+.txt'
      const trainFile = 'nsl-kdd/KDDTrain+_20Percent.txt'
      const [train, test] = await Promise.all([
        source.text(`${trainFile}.gz`),
        source.text(`${testFile}.gz`),
      ])
      const labels = options['labels'] === 'binary' ? 'binary' : 'five'
      return preprocessNslKdd(train, test, { labels }, { train: trainFile, test: testFile })
    },
  },
  {
    name: 'synthetic',
    description:
      'Synthetic Gaussian IoT data with per-device drift (feature skew); groups = device id',
    files: [],
    licence: 'generated by msfl; no licence applies',
    citation: '',
    options: {
      classes: integerOption(DEFAULT_SYNTHETIC_OPTIONS.classes, 2, 1000, 'number of classes'),
      features: integerOption(DEFAULT_SYNTHETIC_OPTIONS.features, 1, 100_000, 'feature dimension'),
      devices: integerOption(
        DEFAULT_SYNTHETIC_OPTIONS.devices,
        1,
        10_000,
        'devices (natural groups)',
      ),
      samples: integerOption(
        DEFAULT_SYNTHETIC_OPTIONS.samplesPerDevice,
        1,
        1_000_000,
        'train rows per device',
      ),
      testSamples: integerOption(
        DEFAULT_SYNTHETIC_OPTIONS.testSamplesPerDevice,
        0,
        1_000_000,
        'test rows per device',
      ),
      separation: realOption(DEFAULT_SYNTHETIC_OPTIONS.separation, 'norm of the class means'),
      drift: realOption(DEFAULT_SYNTHETIC_OPTIONS.drift, 'norm of each device drift vector'),
      noise: realOption(DEFAULT_SYNTHETIC_OPTIONS.noise, 'per-feature noise standard deviation'),
    },
    async load(_source, options, seed) {
      const num = (key: string) => Number(options[key])
      return generateSynthetic(
        {
          classes: num('classes'),
          features: num('features'),
          devices: num('devices'),
          samplesPerDevice: num('samples'),
          testSamplesPerDevice: num('testSamples'),
          separation: num('separation'),
          drift: num('drift'),
          noise: num('noise'),
        },
        splitRng(seed, 'synthetic'),
      )
    },
  },
  {
    name: 'linreg',
    description: 'Synthetic linear regression: Gaussian features, y = w·x + b + noise (seed 002)',
    files: [],
    licence: 'generated by msfl; no licence applies',
    citation: '',
    options: {
      features: integerOption(10, 1, 100_000, 'feature dimension'),
      samples: integerOption(2000, 1, 10_000_000, 'training rows'),
      testSamples: integerOption(500, 1, 10_000_000, 'test rows'),
      noise: realOption(0.1, 'standard deviation of the noise on y (the best achievable RMSE)'),
    },
    async load(_source, options, seed) {
      return generateLinearRegression(
        {
          features: Number(options['features']),
          samples: Number(options['samples']),
          testSamples: Number(options['testSamples']),
          noise: Number(options['noise']),
        },
        splitRng(seed, 'linreg'),
      )
    },
  },
]
