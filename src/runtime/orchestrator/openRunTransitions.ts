import { MsflError } from '../../core/errors/msflError.ts'
import type { OrchestratorInput } from '../../core/orchestrator/orchestratorInput.ts'
import {
  initialOrchestratorState,
  type OrchestratorState,
} from '../../core/orchestrator/orchestratorState.ts'
import { planTransition } from '../../core/orchestrator/plannedTransition.ts'
import type { ReceivedMessage } from '../../core/orchestrator/receivedMessage.ts'
import type { RunJournalParameters } from './openRunJournal.ts'
import { operatorPause } from './operatorControl.ts'

/** A run's state machine on the store: the state last committed and the ways to move it. */
export interface RunTransitions {
  /** The latest state this server committed or read. */
  state(): OrchestratorState
  /** Reads the run again (an operator may have moved it). */
  reload(): Promise<OrchestratorState>
  /** Commits one input (with the message it came from); a refusal comes back with its reason. */
  apply(
    input: OrchestratorInput,
    message?: ReceivedMessage,
  ): Promise<{ refused: string } | 'committed' | 'duplicate'>
  /** Commits one input the server itself decided; a refusal is an error. */
  mustApply(input: OrchestratorInput): Promise<void>
  /** The error a stopped (aborted or finished) run ends a step with. */
  stopped(): MsflError
  /** Before a round opens: holds while the operator's latest command is a pause. */
  holdWhilePaused(round: number): Promise<void>
  /** Ends the run as FAILED with `reason`, unless it is final already. */
  fail(reason: string): Promise<void>
}

/**
 * Creates the run in the store if it is new (or finds it), refuses a finished run or one stored
 * with another policy, and returns its transitions: each input is planned by the pure state
 * machine and committed before anything acts on it; a plan another writer overtook is planned
 * again from the state read back.
 */
export async function openRunTransitions(
  p: RunJournalParameters & { readonly now: () => number },
): Promise<RunTransitions> {
  const { store, runId } = p
  await store.createRun(initialOrchestratorState(runId, p.policy), p.now())
  let state = await load()
  if (JSON.stringify(state.policy) !== JSON.stringify(p.policy))
    throw new MsflError(
      'STORE',
      `run ${runId}: the store holds it with another round policy (${JSON.stringify(state.policy)}); use a new store for a changed job`,
    )
  if (state.phase === 'COMPLETED' || state.phase === 'FAILED')
    throw new MsflError(
      'STORE',
      `run ${runId} is ${state.phase} in the store${state.failure ? ` (${state.failure})` : ''}: nothing to resume`,
    )

  async function load(): Promise<OrchestratorState> {
    const loaded = await store.loadRun(runId)
    if (!loaded) throw new MsflError('STORE', `run ${runId}: not in the store`)
    return loaded
  }

  const stopped = () =>
    new MsflError('PROTOCOL', `run ${runId} was stopped: ${state.failure ?? state.phase}`)

  async function apply(
    input: OrchestratorInput,
    message?: ReceivedMessage,
  ): Promise<{ refused: string } | 'committed' | 'duplicate'> {
    for (let tries = 0; tries < 3; tries++) {
      const planned = planTransition(state, input, message)
      if (planned.kind === 'refused') {
        if (planned.code === 'finished') throw stopped()
        return { refused: planned.reason }
      }
      const outcome = await store.transition(planned.transition, p.now())
      if (outcome.outcome === 'committed') {
        state = outcome.state
        await p.afterCommit?.(state)
        return 'committed'
      }
      state = await load()
      if (outcome.outcome === 'duplicate') return 'duplicate'
    }
    throw new MsflError('STORE', `run ${runId}: the run kept moving under this server`)
  }

  const mustApply = async (input: OrchestratorInput) => {
    const result = await apply(input)
    if (typeof result === 'object')
      throw new MsflError('PROTOCOL', `run ${runId}: ${input.type} refused: ${result.refused}`)
  }

  async function holdWhilePaused(round: number): Promise<void> {
    let told = false
    for (;;) {
      const paused = await operatorPause(store, runId)
      const current = await load()
      if (!paused || current.phase === 'FAILED') {
        if (told) p.onPause?.({ round })
        return
      }
      if (!told) p.onPause?.({ round, reason: paused.reason })
      told = true
      await new Promise((resolve) => setTimeout(resolve, p.pausePollMs ?? 1000))
    }
  }

  return {
    state: () => state,
    reload: async () => {
      state = await load()
      return state
    },
    apply,
    mustApply,
    stopped,
    holdWhilePaused,
    async fail(reason) {
      if (state.phase === 'FAILED' || state.phase === 'COMPLETED') return
      try {
        await apply({ type: 'abort', at: p.now(), reason: reason.slice(0, 2000) })
      } catch (error) {
        // Already final (an operator's abort won): the run has its reason.
        if (!(error instanceof MsflError && error.code === 'PROTOCOL')) throw error
      }
    },
  }
}
