import type { ConnectedParticipant, RunJournalParameters } from './openRunJournal.ts'
import type { RunTransitions } from './openRunTransitions.ts'

/** How the journal follows the owners' connections between and during rounds. */
export interface ClientTracking {
  /** Records participants (certificate serials) and registers the data owners not connected. */
  register(participants: readonly ConnectedParticipant[]): Promise<void>
  /** An owner's connection dropped: a run short of its minimum between rounds pauses. */
  dropped(name: string): Promise<void>
  /**
   * Holds while the run is PAUSED_INSUFFICIENT_CLIENTS, until owners coming back (each a
   * `register` transition) lift it, or an operator's abort ends it.
   */
  waitForClients(round: number): Promise<void>
}

/**
 * The state machine decides when a shortfall pauses the run (between rounds, after the first)
 * and when a return resumes it; this applies the disconnections and waits, telling
 * `onInsufficientClients` when the wait starts and ends.
 */
export function trackClients(
  t: RunTransitions,
  p: Pick<
    RunJournalParameters,
    'store' | 'runId' | 'policy' | 'now' | 'pausePollMs' | 'onInsufficientClients'
  >,
): ClientTracking {
  return {
    async register(participants) {
      for (const { name, role, serialNumber } of participants) {
        await p.store.recordParticipant({
          runId: p.runId,
          name,
          role,
          certificateSerial: serialNumber.toLowerCase(),
          registeredAt: p.now(),
        })
        if (role === 'data-owner' && !t.state().connected.includes(name))
          await t.mustApply({ type: 'register', name, at: p.now() })
      }
    },
    async dropped(name) {
      if (t.state().connected.includes(name))
        await t.mustApply({ type: 'disconnect', name, at: p.now() })
    },
    async waitForClients(round) {
      const needed = p.policy.minClients
      const tell = (resumed: boolean) =>
        p.onInsufficientClients?.({
          round,
          connected: t.state().connected.length,
          needed,
          resumed,
        })
      tell(false)
      while (t.state().phase === 'PAUSED_INSUFFICIENT_CLIENTS') {
        await new Promise((resolve) => setTimeout(resolve, p.pausePollMs ?? 1000))
        await t.reload()
      }
      tell(true)
    },
  }
}
