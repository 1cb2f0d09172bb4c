import { MsflError } from '../../core/errors/msflError.ts'
import type { OrchestratorState } from '../../core/orchestrator/orchestratorState.ts'
import { planTransition } from '../../core/orchestrator/plannedTransition.ts'
import type { RunStore } from '../../core/ports/runStore.ts'

/** The sender name an operator's commands are recorded under. */
export const OPERATOR = 'operator'

/** What an operator may ask of a running run between its rounds. */
export type OperatorCommand = 'pause' | 'resume'

const kindOf = (command: OperatorCommand) => `operator-${command}`

/**
 * Records an operator's pause or resume as a message of the run (round 0): the server reads the
 * latest one between rounds. Recording the same command at the same millisecond twice is one.
 */
export async function requestControl(
  store: RunStore,
  runId: string,
  command: OperatorCommand,
  reason: string,
  at: number,
): Promise<void> {
  const state = await store.loadRun(runId)
  if (!state) throw new MsflError('STORE', `run ${runId}: not in the store`)
  if (state.phase === 'COMPLETED' || state.phase === 'FAILED')
    throw new MsflError('STORE', `run ${runId} is ${state.phase}: nothing to ${command}`)
  await store.recordMessage({
    runId,
    round: 0,
    sender: OPERATOR,
    messageId: `${command}@${at}`,
    kind: kindOf(command),
    receivedAt: at,
    metadata: { reason },
  })
}

/** Why the run is paused by its operator, or undefined when it is not (the latest command wins). */
export async function operatorPause(
  store: RunStore,
  runId: string,
): Promise<{ readonly reason: string } | undefined> {
  const commands = (await store.listMessages(runId, 0)).filter(
    (m) => m.sender === OPERATOR && (m.kind === kindOf('pause') || m.kind === kindOf('resume')),
  )
  const last = commands.at(-1)
  if (!last || last.kind !== kindOf('pause')) return undefined
  return { reason: String(last.metadata['reason'] ?? '') }
}

/**
 * Fails the run in the store with the operator's reason (a transition like any other): the
 * server sees it at its next step, stops, and announces the failure to every participant.
 */
export async function abortRun(
  store: RunStore,
  runId: string,
  reason: string,
  at: number,
): Promise<OrchestratorState> {
  for (let tries = 0; tries < 5; tries++) {
    const state = await store.loadRun(runId)
    if (!state) throw new MsflError('STORE', `run ${runId}: not in the store`)
    const planned = planTransition(state, {
      type: 'abort',
      at,
      reason: `aborted by the operator: ${reason}`,
    })
    if (planned.kind === 'refused') throw new MsflError('STORE', planned.reason)
    const outcome = await store.transition(planned.transition, at)
    if (outcome.outcome === 'committed') return outcome.state
  }
  throw new MsflError('STORE', `run ${runId}: the run kept moving; try the abort again`)
}
