import type { Kysely } from 'kysely'
import type { RunStore } from '../../core/ports/runStore.ts'
import { insertEvent, selectEvents } from './eventRows.ts'
import { insertMessage, selectMessages } from './messageRows.ts'
import { insertModelVersion, selectModelVersion } from './modelRows.ts'
import { insertParticipant, selectParticipants } from './participantRows.ts'
import { insertRun, selectRounds, selectRun, selectRuns, selectTransitions } from './runRows.ts'
import type { StoreTables } from './storeTables.ts'
import { commitTransition } from './transitionRows.ts'

/** The RunStore over a migrated Kysely database, whichever engine is underneath. */
export function createKyselyRunStore(db: Kysely<StoreTables>): RunStore {
  return {
    createRun: (state, createdAt) => insertRun(db, state, createdAt),
    loadRun: (runId) => selectRun(db, runId),
    listRuns: () => selectRuns(db),
    transition: (plan, at) => commitTransition(db, plan, at),
    listTransitions: (runId) => selectTransitions(db, runId),
    listRounds: (runId) => selectRounds(db, runId),
    recordMessage: (message) => insertMessage(db, message),
    listMessages: (runId, round) => selectMessages(db, runId, round),
    recordParticipant: (participant) => insertParticipant(db, participant),
    listParticipants: (runId) => selectParticipants(db, runId),
    putModelVersion: (model) => insertModelVersion(db, model),
    loadModelVersion: (runId, version) => selectModelVersion(db, runId, version),
    appendEvent: (event) => insertEvent(db, event),
    listEvents: (runId, after) => selectEvents(db, runId, after),
    close: () => db.destroy(),
  }
}
