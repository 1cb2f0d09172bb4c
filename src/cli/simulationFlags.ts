import type { FlagDefinition } from './flags.ts'

/** The flags of `msfl simulate`; each maps onto one field of the simulation config. */
export const simulationFlags: readonly FlagDefinition[] = [
  {
    flag: 'dataset',
    path: ['dataset'],
    type: 'string',
    help: 'mnist | fashion-mnist | adult | breast-cancer | digits | nsl-kdd | synthetic, with :key=value options',
  },
  {
    flag: 'model',
    path: ['model'],
    type: 'string',
    help: 'linear | logistic | softmax | mlp[:hidden=128]',
  },
  { flag: 'clients', path: ['clients'], type: 'number', help: 'number of data owners' },
  { flag: 'rounds', path: ['rounds'], type: 'number', help: 'federated rounds' },
  {
    flag: 'partition',
    path: ['partition'],
    type: 'string',
    help: 'iid | dirichlet:<alpha> | quantity:<beta> | natural',
  },
  { flag: 'strategy', path: ['strategy'], type: 'string', help: 'fedavg | fedsgd' },
  {
    flag: 'protocol',
    path: ['protocol'],
    type: 'string',
    help: 'plain (default) | msfl (the encrypted MS-FL protocol)',
  },
  { flag: 'he', path: ['he'], type: 'string', help: 'msfl: CKKS preset, ckks-16384' },
  {
    flag: 'dropout',
    path: ['dropout'],
    type: 'number',
    help: 'with --privacy secagg: share of clients that vanish after key sharing, each round',
  },
  {
    flag: 'privacy',
    path: ['privacy'],
    type: 'string',
    help: 'plain engine: protect every update: ckks[:preset=], paillier[:bits=,precision=,range=], secagg[:t=,clip=,degree=,timeout=], dp[:level=sample|client,epsilon=,delta=,clip=] (client level also noise=central|distributed,sampling=q,min=t,sigma=), joined by + (e.g. dp:epsilon=3+secagg, dp:level=client,sampling=0.5, dp:level=client,noise=distributed+secagg:t=5,clip=20; see docs/differential-privacy.md)',
  },
  {
    flag: 'ledger',
    path: ['ledger'],
    type: 'string',
    help: 'msfl: evm (default: the Solidity contract on an in-process EVM) | rpc:<http(s) url> | memory',
  },
  {
    flag: 'mask',
    path: ['msfl', 'mask'],
    type: 'string',
    help: 'msfl: component (paper) | global-scale',
  },
  {
    flag: 'aggregator',
    path: ['aggregator'],
    type: 'string',
    help: 'fedavg | krum | multi-krum | median | trimmed-mean | bulyan | centered-clipping | norm-bound | geomed | cosine-clustering | msfl, with :key=value options (protocol msfl: msfl, or krum | multi-krum | cosine-clustering with mask global-scale) (f defaults to the number of attackers)',
  },
  {
    flag: 'attack',
    path: ['attack'],
    type: 'string',
    help: 'label-flip | backdoor | gaussian | sign-flip | scaling | alie | ipm | free-rider, with :key=value options',
  },
  {
    flag: 'malicious',
    path: ['malicious'],
    type: 'number',
    help: 'share of data owners that run --attack, [0, 1)',
  },
  {
    flag: 'fraction',
    path: ['sampling', 'fraction'],
    type: 'number',
    help: 'share of clients sampled per round, (0, 1]',
  },
  {
    flag: 'min-clients',
    path: ['sampling', 'minClients'],
    type: 'number',
    help: 'minimum clients per round',
  },
  { flag: 'epochs', path: ['training', 'epochs'], type: 'number', help: 'local epochs per round' },
  {
    flag: 'batch-size',
    path: ['training', 'batchSize'],
    type: 'number',
    help: 'local minibatch size',
  },
  { flag: 'lr', path: ['training', 'learningRate'], type: 'number', help: 'local learning rate' },
  {
    flag: 'momentum',
    path: ['training', 'momentum'],
    type: 'number',
    help: 'local SGD momentum, [0, 1)',
  },
  {
    flag: 'server-lr',
    path: ['serverLearningRate'],
    type: 'number',
    help: 'FedSGD server step size',
  },
  {
    flag: 'seed',
    path: ['seed'],
    type: 'number',
    help: 'seed for data split, partition, sampling and init',
  },
  { flag: 'out', path: ['out'], type: 'string', help: 'directory for run folders (default runs)' },
]
