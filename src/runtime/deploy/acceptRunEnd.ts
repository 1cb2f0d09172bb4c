import { type RunEnded, runEndedSchema } from '../../core/deploy/deploymentMessages.ts'

/** A participant's view of the run's end: the handler for `run-ended` and its outcome. */
export interface RunEndSignal {
  readonly ended: Promise<RunEnded>
  handle(message: unknown): Promise<unknown>
}

/**
 * Accepts the provider's `run-ended` for `runId` once (a later one is acknowledged and
 * ignored), so a participant process knows when to exit and with what outcome.
 */
export function acceptRunEnd(runId: string, clientId: string): RunEndSignal {
  let settle: (value: RunEnded) => void = () => {}
  const ended = new Promise<RunEnded>((resolve) => {
    settle = resolve
  })
  return {
    ended,
    async handle(message) {
      const parsed = runEndedSchema.safeParse(message)
      if (!parsed.success || parsed.data.runId !== runId)
        return { type: 'error', clientId, message: 'run-ended: not this run' }
      settle(parsed.data)
      return { type: 'run-ended-ack', runId, clientId }
    },
  }
}
