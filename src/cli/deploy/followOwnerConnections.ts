import type { ProcessLog } from '../../adapters/logging/index.ts'
import type { FederationEvent, FederationServer } from '../../adapters/transport-grpc/index.ts'
import type { RunJournal } from '../../runtime/orchestrator/openRunJournal.ts'

/** What `msfl server` does when an owner connects or drops during a run. */
export interface OwnerConnections {
  /** The transport's event hook (connections and disconnections; the rest is ignored). */
  onEvent(event: FederationEvent): void
  /** From now on, connections are recorded in this run's journal. */
  attach(journal: Pick<RunJournal, 'state' | 'register' | 'disconnected'>): void
  /** How to give the agreed feature scaling to an owner that joins after the agreement. */
  announceScaling(announce: (owner: string) => Promise<void>): void
  /** How to give a protected job's terms to an owner that joins after they were agreed. */
  announceProtection(announce: (owner: string) => Promise<void>): void
}

/**
 * The run store follows the owners' connections, so too few pauses the run between rounds and
 * their return resumes it. An owner that comes back after the scaling agreement (a restarted
 * process) is first given the agreed scaling and a protected job's terms, then counted
 * connected, so it can train when asked. A failure is logged, never fatal: the next round decides with what is connected.
 */
export function followOwnerConnections(
  endpoint: () => Pick<FederationServer, 'peers'>,
  log: ProcessLog,
): OwnerConnections {
  let journal: Pick<RunJournal, 'state' | 'register' | 'disconnected'> | undefined
  let scaling: ((owner: string) => Promise<void>) | undefined
  let protection: ((owner: string) => Promise<void>) | undefined
  return {
    onEvent(event) {
      if (!journal || (event.type !== 'peer-connected' && event.type !== 'peer-disconnected'))
        return
      const run = journal
      // Owners leave when the run ends: nothing is left to record.
      const { phase } = run.state()
      if (phase === 'COMPLETED' || phase === 'FAILED') return
      const peer = endpoint()
        .peers()
        .find((p) => p.name === event.peer)
      const change =
        event.type === 'peer-disconnected'
          ? run.disconnected(event.peer)
          : (async () => {
              if (peer?.role === 'data-owner') {
                await scaling?.(event.peer)
                await protection?.(event.peer)
              }
              await run.register(peer ? [peer] : [])
            })()
      change.catch((error: unknown) =>
        log.error('connection not recorded in the run store', {
          peer: event.peer,
          reason: error instanceof Error ? error.message : String(error),
        }),
      )
    },
    attach(opened) {
      journal = opened
    },
    announceScaling(announce) {
      scaling = announce
    },
    announceProtection(announce) {
      protection = announce
    },
  }
}
