import { ROBUST_RULE_NAMES } from '../../core/robust/createRobustRule.ts'
import type { ExperimentMatrix } from './experimentMatrix.ts'

/** The paper's federation: MNIST in a softmax model, 10 IID data owners, 10 rounds. */
const MNIST_TEN_OWNERS = {
  dataset: 'mnist',
  model: 'softmax',
  clients: 10,
  rounds: 10,
  partition: 'iid',
  training: { epochs: 1, batchSize: 32, learningRate: 0.05, momentum: 0.9 },
} as const

/**
 * The MS-FL paper's setting: MNIST, 10 data owners, f ∈ {1, 2, 3, 4}; label flipping,
 * a 4×4 white-square backdoor (target 0, boosted), arbitrary model poisoning (scaled
 * −4·mean and Gaussian σ = 10), plus ALIE and IPM; against FedAvg and the robust rules.
 */
export const msflPaperPreset: ExperimentMatrix = {
  name: 'msfl-paper',
  base: {
    ...MNIST_TEN_OWNERS,
  },
  // Every rule the paper compares; norm-bound, geomed and cosine-clustering came after it.
  aggregators: ROBUST_RULE_NAMES.filter(
    (rule) => !['norm-bound', 'geomed', 'cosine-clustering'].includes(rule),
  ),
  attacks: [
    'none',
    'label-flip',
    'backdoor:size=4,target=0,fraction=0.5,boost=10',
    'scaling:factor=-4,base=mean',
    'gaussian:sigma=10',
    'alie',
    'ipm:epsilon=0.1',
  ],
  malicious: [0.1, 0.2, 0.3, 0.4],
  clients: [],
  privacy: ['none'],
  seeds: [42],
}

/**
 * Seed 003's table with an ε: UCI Adult, logistic regression, 10 IID owners, FL against
 * FL + DP (sample-level DP-SGD, ε = 3, δ = 1e-5), FL + HE (CKKS-encrypted updates) and
 * FL + DP + HE, over ten seeds. DP noise comes from the CSPRNG, so two DP runs of one seed
 * differ by their noise draws (σ of the final accuracy ≈ 0.07 points); ten seeds make the
 * mean's error small enough to compare FL + DP with FL + DP + HE at 0.1 point. (The seed
 * paper reports 76.81 / 65.87 / 76.39 / 75.34 % with no ε at all.)
 */
export const seed003Preset: ExperimentMatrix = {
  name: 'seed-003',
  base: {
    dataset: 'adult',
    model: 'logistic',
    clients: 10,
    rounds: 20,
    partition: 'iid',
    training: { epochs: 1, batchSize: 256, learningRate: 0.5, momentum: 0.9 },
  },
  aggregators: ['fedavg'],
  clients: [],
  privacy: ['none', 'dp:epsilon=3,delta=1e-5', 'ckks', 'dp:epsilon=3,delta=1e-5+ckks'],
  attacks: ['none'],
  malicious: [0.1],
  seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 42],
}

/**
 * Seed 002's comparison: linear regression on synthetic data, plain FedAvg against
 * CKKS-encrypted updates and secret sharing (secure aggregation), with 2 and 8 data
 * owners, clean and with Gaussian model poisoning by a quarter and a half of the owners
 * (2 and 4 of 8); RMSE per round, time and bytes per round in the results. The source
 * paper's secret-sharing curve did not converge because it kept 3 decimal digits; here
 * secret sharing must match plain within the quantisation bound.
 */
export const seed002Preset: ExperimentMatrix = {
  name: 'seed-002',
  base: {
    dataset: 'linreg',
    model: 'linear',
    rounds: 20,
    partition: 'iid',
    training: { epochs: 1, batchSize: 32, learningRate: 0.05, momentum: 0.9 },
  },
  aggregators: ['fedavg'],
  clients: [2, 8],
  // clip = 10 keeps the first rounds' large updates unclipped: secret sharing then
  // differs from plain by quantisation only, round by round.
  privacy: ['none', 'ckks', 'secagg:clip=10'],
  attacks: ['none', 'gaussian:sigma=1'],
  malicious: [0.25, 0.5],
  seeds: [42],
}

/**
 * Seed 004's study: Paillier-protected FL (2048-bit key, packed fixed-point updates)
 * against the plain reference, 20 data owners, FedAvg, clean. Four variants:
 * - the paper's Table 1: 20 simulated IoT devices with Gaussian synthetic data (5
 *   classes, 20 features, per-device drift, noise 1.5 so that ≈ 73 % is the best a
 *   linear model reaches), one device per owner, softmax, 100 rounds of plain local SGD
 *   (η = 0.01, no momentum: small steps, so convergence takes most of the 100 rounds);
 * - Table 2's federated model types on NSL-KDD (KDDTrain+ 20 %, scored on KDDTest+,
 *   whose unseen attack types cap accuracy near 75–80 %), IID over the 20 owners:
 *   logistic regression on normal vs attack, softmax and an MLP (one hidden layer of 16,
 *   1,989 parameters) on the five categories. 30 rounds: plain runs level off after
 *   ≈ 15, and Paillier encrypts every parameter of 20 updates each round (≈ 12 s per
 *   MLP round on one core), so the whole preset takes about 10 minutes on 2 workers.
 * Accuracy, precision, recall, F1, AUC, the confusion matrix and the ROC curve of each
 * model, test accuracy per round, and ms and kB per round with and without Paillier
 * (the encryption overhead) are in the report.
 */
export const seed004Preset: ExperimentMatrix = {
  name: 'seed-004',
  base: {
    dataset: 'nsl-kdd',
    model: 'softmax',
    rounds: 30,
    partition: 'iid',
    training: { epochs: 1, batchSize: 32, learningRate: 0.05, momentum: 0.9 },
  },
  variants: [
    {
      name: 'IoT synthetic, 20 devices',
      set: {
        dataset: 'synthetic:devices=20,classes=5,features=20,noise=1.5,samples=200,testSamples=100',
        model: 'softmax',
        partition: 'natural',
        rounds: 100,
        training: { learningRate: 0.01, momentum: 0 },
      },
    },
    {
      name: 'NSL-KDD binary, logistic',
      set: { dataset: 'nsl-kdd:labels=binary', model: 'logistic' },
    },
    { name: 'NSL-KDD 5-class, softmax', set: { dataset: 'nsl-kdd', model: 'softmax' } },
    { name: 'NSL-KDD 5-class, MLP', set: { dataset: 'nsl-kdd', model: 'mlp:hidden=16' } },
  ],
  aggregators: ['fedavg'],
  clients: [20],
  privacy: ['none', 'paillier:bits=2048'],
  attacks: ['none'],
  malicious: [0.1],
  seeds: [42],
}

/**
 * ADRM's detection quality (issues 7, 14): MNIST softmax, 10 IID owners of which 3 attack,
 * every attack of the catalogue, seeds 42–44, FedAvg without and with `--defence adrm`
 * (no label feedback, as deployed) and, labelled as such, with oracle labels; the report
 * tables precision, recall and false-positive rate of the detection stage per attack
 * (against the known attackers, over every inspected update), with accuracy, rollbacks
 * and blocks. `scaling:base=own` is model replacement (no omniscience needed).
 */
export const adrmPreset: ExperimentMatrix = {
  name: 'adrm',
  base: {
    ...MNIST_TEN_OWNERS,
    ledger: 'memory',
  },
  variants: [
    { name: 'no detection', set: {} },
    // The deployment case: nobody tells ADRM who attacked.
    { name: 'adrm', set: { defence: 'adrm' } },
    // Simulation only: the true attackers label every round (an upper bound, never the default).
    { name: 'adrm, oracle labels', set: { defence: 'adrm:labels=oracle' } },
  ],
  aggregators: ['fedavg'],
  clients: [],
  privacy: ['none'],
  attacks: [
    'none',
    'gaussian:sigma=10',
    'sign-flip',
    'scaling:factor=-4,base=mean',
    'scaling:factor=10,base=own',
    'label-flip',
    'backdoor:size=4,target=0,fraction=0.5,boost=10',
    'alie',
    'ipm:epsilon=0.1',
    'free-rider',
  ],
  malicious: [0.3],
  seeds: [42, 43, 44],
}

/**
 * msfl's recommended defence when owners' data differ (issue 18): one setting for every
 * cell of the `non-iid` preset, chosen on a measured subset (docs/noniid-results.md says
 * which) and never tuned per cell.
 */
export const NON_IID_DEFENCE = 'fltrust:ratio=4'

/**
 * Defences under heterogeneity (issue 18, acceptance 1): 20 data owners whose labels are
 * skewed by a Dirichlet split (α = 0.5 and the harsher 0.1) on MNIST in a softmax model and
 * an MLP (784-128-10), and NSL-KDD (5 classes) whose natural class imbalance (about half the
 * rows normal, U2R a few dozen) is split the same way at α = 0.5: the dataset has no owner
 * column to split by. Every attack of the catalogue that targets aggregation (ALIE with
 * per-attacker jitter, IPM, Min-Max and Min-Sum among them) at 20 % and 40 % attackers, three
 * seeds, undefended FedAvg against NON_IID_DEFENCE. The backdoor stamps a square on images,
 * so its NSL-KDD cells are recorded n/a. The acceptance: the defence within 3 points of
 * clean FedAvg in every cell, never more than 1 point below undefended FedAvg, backdoor
 * success ≤ 5 %.
 */
export const nonIidPreset: ExperimentMatrix = {
  name: 'non-iid',
  base: {
    dataset: 'mnist',
    model: 'softmax',
    clients: 20,
    rounds: 20,
    partition: 'dirichlet:0.5',
    training: { epochs: 1, batchSize: 32, learningRate: 0.05, momentum: 0.9 },
  },
  variants: [
    { name: 'MNIST softmax, Dirichlet 0.5', set: {} },
    { name: 'MNIST softmax, Dirichlet 0.1', set: { partition: 'dirichlet:0.1' } },
    { name: 'NSL-KDD softmax, Dirichlet 0.5', set: { dataset: 'nsl-kdd' } },
    { name: 'MNIST MLP, Dirichlet 0.5', set: { model: 'mlp:hidden=128' } },
    {
      name: 'MNIST MLP, Dirichlet 0.1',
      set: { model: 'mlp:hidden=128', partition: 'dirichlet:0.1' },
    },
  ],
  aggregators: ['fedavg', NON_IID_DEFENCE],
  attacks: [
    'none',
    'label-flip',
    'backdoor:size=4,target=0,fraction=0.5,boost=10',
    'gaussian:sigma=10',
    'sign-flip',
    'scaling:factor=-4,base=mean',
    'alie:jitter=0.1',
    'ipm:epsilon=0.1',
    'min-max',
    'min-sum',
  ],
  malicious: [0.2, 0.4],
  clients: [],
  privacy: ['none'],
  seeds: [42, 43, 44],
}

export const EXPERIMENT_PRESETS: Readonly<Record<string, ExperimentMatrix>> = {
  'msfl-paper': msflPaperPreset,
  'seed-002': seed002Preset,
  'seed-003': seed003Preset,
  'seed-004': seed004Preset,
  adrm: adrmPreset,
  'non-iid': nonIidPreset,
}
