// Run a federated simulation through the library API: validate a config, load a dataset,
// and train for two rounds over the in-memory transport.
import {
  createMemoryTransport,
  loadDataset,
  parseDatasetSpec,
  planFederatedRun,
  runSimulation,
  simulationConfigSchema,
} from 'msfl'

// The schema fills in every default and rejects unknown keys, as the CLI does for a file.
const config = simulationConfigSchema.parse({
  dataset: 'synthetic:classes=3,features=8,devices=6,samples=120,testSamples=40',
  model: 'softmax',
  clients: 6,
  rounds: 2,
  partition: 'natural',
  seed: 7,
})

// Synthetic data needs no files; named datasets are read from @msfl/datasets or MSFL_DATA_DIR.
const data = await loadDataset(parseDatasetSpec(config.dataset), config.seed)
const result = await runSimulation({
  runId: 'example-run',
  plan: planFederatedRun(config),
  data,
  createTransport: (handlers) => createMemoryTransport({ handlers }),
  emit: () => {},
  now: Date.now,
})

for (const round of result.history)
  console.log(`round ${round.round}: test accuracy ${round.test.accuracy?.toFixed(3)}`)
console.log(
  `final accuracy ${result.final.accuracy?.toFixed(3)} with ${result.params.length} parameters`,
)
