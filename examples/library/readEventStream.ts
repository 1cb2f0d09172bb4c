// Read the event stream of a run: every step of a simulation is a plain RunEvent, fanned
// out by an event bus to as many subscribers as you like (here a JSON-lines log and a tally).
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createEventBus,
  createMemoryTransport,
  loadDataset,
  parseDatasetSpec,
  planFederatedRun,
  type RunEvent,
  runSimulation,
  simulationConfigSchema,
} from 'msfl'

const bus = createEventBus((error, event) =>
  console.error(`a subscriber failed on ${event.type}: ${String(error)}`),
)

// Subscriber 1: a JSON-lines log, one event per line (bigints written as strings).
const log = join(mkdtempSync(join(tmpdir(), 'msfl-events-')), 'events.jsonl')
bus.subscribe((event) =>
  appendFileSync(
    log,
    `${JSON.stringify(event, (_key, value) => (typeof value === 'bigint' ? String(value) : value))}\n`,
  ),
)

// Subscriber 2: count events by type and print each finished round as it happens.
const counts = new Map<RunEvent['type'], number>()
const unsubscribe = bus.subscribe((event) => {
  counts.set(event.type, (counts.get(event.type) ?? 0) + 1)
  if (event.type === 'round-completed')
    console.log(`round ${event.record.round}: loss ${event.record.test.loss.toFixed(4)}`)
})

const config = simulationConfigSchema.parse({
  dataset: 'synthetic:classes=2,features=5,devices=5,samples=60,testSamples=20',
  model: 'logistic',
  clients: 5,
  rounds: 2,
  partition: 'natural',
  malicious: 0.2,
  attack: 'sign-flip',
  seed: 5,
})
const data = await loadDataset(parseDatasetSpec(config.dataset), config.seed)
await runSimulation({
  runId: 'event-stream',
  plan: planFederatedRun(config),
  data,
  createTransport: (handlers) => createMemoryTransport({ handlers }),
  emit: bus.emit,
  now: Date.now,
})
unsubscribe()

for (const [type, count] of counts) console.log(`${type}: ${count}`)
const lines = readFileSync(log, 'utf8').trim().split('\n')
const first = JSON.parse(lines[0]!) as RunEvent
console.log(`${lines.length} events logged to ${log}; the first is ${first.type}`)
