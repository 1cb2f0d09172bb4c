import type { ProcessLog } from '../../adapters/logging/index.ts'
import { createStoreEventSink, type StoreEventSink } from '../../adapters/store/index.ts'
import type { RoundPolicy } from '../../core/orchestrator/roundPolicy.ts'
import type { RunStore } from '../../core/ports/runStore.ts'
import type { PlainRunPlan } from '../../runtime/config/planRun.ts'
import type { EventBus } from '../../runtime/createEventBus.ts'

/**
 * The round policy a deployed plain job runs under: its rounds, its sampling (the round state
 * machine checks each drawn selection against it), one accepted update to go on (as the round
 * driver requires), its deadline, and no retry of a round (the driver fails a round that misses
 * its quorum).
 */
export function roundPolicyOf(plan: PlainRunPlan): RoundPolicy {
  const { basics, engine } = plan
  return {
    rounds: basics.rounds,
    fraction: engine.sampling.fraction,
    minClients: engine.sampling.minClients,
    quorum: 1,
    roundDeadlineMs: basics.deadlineMs,
    maxRoundAttempts: 1,
  }
}

/** The run's events also go to the store; a failed write is logged, never thrown into the run. */
export function journalSink(store: RunStore, bus: EventBus, log: ProcessLog): StoreEventSink {
  let warned = false
  const sink = createStoreEventSink(store, (error, event) => {
    if (warned) return
    warned = true
    log.warn('an event was not stored', {
      type: event.type,
      reason: error instanceof Error ? error.message : String(error),
    })
  })
  // The store keeps whole milliseconds; the run clock has a fraction.
  bus.subscribe((event) => sink.sink({ ...event, at: Math.floor(event.at) }))
  return sink
}
