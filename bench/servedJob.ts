import { performance } from 'node:perf_hooks'
import { createCsprng } from '../src/adapters/random/index.ts'
import { openDeployedProtection } from '../src/cli/privacy/deployedProtection.ts'
import type { DatasetSplit } from '../src/core/data/dataset.ts'
import type { ProtectionTerms } from '../src/core/deploy/deploymentMessages.ts'
import { MsflError } from '../src/core/errors/msflError.ts'
import type { EventSink, RunEvent } from '../src/core/events/runEvent.ts'
import { createModel } from '../src/core/model/createModel.ts'
import type { SecaggCrypto } from '../src/core/ports/secaggCrypto.ts'
import type { MessageHandler, Transport } from '../src/core/ports/transport.ts'
import { type FederatedRunPlan, planFederatedRun } from '../src/runtime/config/planRun.ts'
import { simulationConfigSchema } from '../src/runtime/config/simulationConfig.ts'
import { createOwnerParticipant } from '../src/runtime/deploy/createOwnerParticipant.ts'
import { serveFederation } from '../src/runtime/deploy/serveFederation.ts'
import { summedUpdatesFloor } from '../src/runtime/deploy/serveProtectedRounds.ts'
import type { RunJournal } from '../src/runtime/orchestrator/openRunJournal.ts'
import { planPopulation } from '../src/runtime/planPopulation.ts'
import { resolveModelSpec } from '../src/runtime/resolveModelSpec.ts'

/** The median of a non-empty list. */
export const median = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** A FedAvg job as the deployed provider serves it, and its owners' participants. */
export interface Deployed {
  readonly plan: FederatedRunPlan
  readonly data: DatasetSplit
  readonly owners: readonly string[]
  /** Fresh owner participants (each run needs its own: they keep the run's state). */
  participants(only?: ReadonlySet<string>): Map<string, MessageHandler>
}

/** What a benchmark job is: the simulation config fields the benches vary. */
export interface BenchJob {
  readonly dataset: string
  readonly model: string
  readonly clients: number
  readonly rounds: number
  readonly seed: number
  /** `secagg` (no key holder): the owners' updates reach the provider only summed. */
  readonly privacy?: 'secagg'
}

/**
 * Plans `job` and partitions `data` among its owners exactly as `msfl server` and the
 * owners' processes do, so a bench serves the same job a deployment runs.
 */
export function deployment(data: DatasetSplit, job: BenchJob, crypto: SecaggCrypto): Deployed {
  const plan = planFederatedRun(simulationConfigSchema.parse(job))
  const { partition, owners } = planPopulation(plan.basics, data.train)
  const spec = createModel(resolveModelSpec(job.model, data.test))
  const hiding = plan.protocol === 'protected' ? plan.privacy.hiding : undefined
  // As msfl owner opens it once the provider's terms arrive.
  const openProtection =
    hiding && plan.protocol === 'protected'
      ? (terms: ProtectionTerms) =>
          openDeployedProtection(
            hiding,
            {
              runId: 'bench',
              clients: owners,
              rounds: plan.basics.rounds,
              minContributors: summedUpdatesFloor(plan),
              referenceExamples: terms.referenceExamples,
              dropsOut: () => false,
            },
            terms.keyHolder,
            crypto,
          )
      : undefined
  return {
    plan,
    data,
    owners,
    participants: (only) =>
      new Map(
        partition.clients
          .filter((c) => only === undefined || only.has(c.id))
          .map((c) => [
            c.id,
            createOwnerParticipant({
              runId: 'bench',
              clientId: c.id,
              data: c.data,
              scaling: data.scaling,
              owners: owners.length,
              model: spec,
              seed: job.seed,
              crypto,
              ...(openProtection ? { openProtection } : {}),
            }),
          ]),
      ),
  }
}

/** Round times of one served run (round-started → round-completed, ms) and its whole time. */
export interface ServedTimes {
  readonly rounds: readonly number[]
  readonly totalMs: number
}

/**
 * Serves the job over `transport` with serveFederation (with `journal` when given), timing
 * every round from its `round-started` to its `round-completed` event; `also` sees every event.
 */
export async function serveRounds(
  d: Deployed,
  transport: Transport,
  crypto: SecaggCrypto,
  options: { readonly journal?: RunJournal; readonly also?: EventSink } = {},
): Promise<ServedTimes> {
  const started = new Map<number, number>()
  const rounds: number[] = []
  const begin = performance.now()
  await serveFederation({
    runId: 'bench',
    plan: d.plan,
    owners: d.owners,
    transport,
    test: d.data.test,
    scaling: d.data.scaling,
    crypto,
    aggregationRng: createCsprng(),
    protection: {
      open: (hiding, context, keyHolder) =>
        openDeployedProtection(hiding, context, keyHolder, crypto),
      checkKeyHolder: () => {
        throw new MsflError('CONFIG_INVALID', 'privacy: the bench jobs have no key holder')
      },
    },
    ...(options.journal ? { journal: options.journal } : {}),
    emit: (e: RunEvent) => {
      if (e.type === 'round-started') started.set(e.round, performance.now())
      if (e.type === 'round-completed')
        rounds.push(performance.now() - started.get(e.record.round)!)
      options.also?.(e)
    },
    now: Date.now,
  })
  return { rounds, totalMs: performance.now() - begin }
}

/** A journal that adds up the time the round driver waits on it (its commits). */
export interface TimedJournal {
  readonly journal: RunJournal
  /** Milliseconds spent in opened/accepted/collected/closed so far. */
  spentMs(): number
}

/**
 * Wraps `journal` so a bench can say how much of a round is the store: the round driver
 * awaits every step (each accepted update is its own committed transaction, one after another,
 * once the round's replies are in), so the sum is time the round waited.
 */
export function timedJournal(journal: RunJournal): TimedJournal {
  let spent = 0
  const timed =
    <A extends unknown[], R>(step: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const start = performance.now()
      try {
        return await step(...args)
      } finally {
        spent += performance.now() - start
      }
    }
  return {
    journal: {
      ...journal,
      opened: timed(journal.opened),
      accepted: timed(journal.accepted),
      collected: timed(journal.collected),
      closed: timed(journal.closed),
    },
    spentMs: () => spent,
  }
}
