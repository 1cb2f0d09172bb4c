import { describeZodError } from '../errors/describeZodError.ts'
import { MsflError } from '../errors/msflError.ts'
import type { SecaggCrypto } from '../ports/secaggCrypto.ts'
import type { MessageHandler } from '../ports/transport.ts'
import { advertiseKeys, maskInput, shareKeys } from './secaggClient.ts'
import { revealShares, signSurvivors } from './secaggClientReveal.ts'
import { eraseClientState, type SecaggClientState } from './secaggClientState.ts'
import { clientInboxSchema } from './secaggMessages.ts'

export interface SecaggClientOptions {
  readonly clientId: string
  /** Primitives, and (crypto.identityOf) the client's long-term signing key. */
  readonly crypto: SecaggCrypto
  /**
   * The client's input for a round, asked for only when the round reaches the
   * masked-input stage (after keys are shared), so a client can train meanwhile.
   */
  readonly input: (round: {
    readonly session: string
    readonly dimension: number
  }) => Float64Array | Promise<Float64Array>
}

/**
 * A client of secure aggregation as a message handler: it runs the steps of
 * secaggClient.ts in order, one session at a time per session id, and answers every
 * protocol problem with { type: 'error' } after erasing the session's secrets. A session
 * id is never accepted twice, so keys and masks are never reused across rounds.
 */
export function createSecaggClient(options: SecaggClientOptions): MessageHandler {
  const { clientId, crypto } = options
  const identity = crypto.identityOf(clientId)
  const sessions = new Map<string, SecaggClientState>()
  const finished = new Set<string>()

  const end = (session: string) => {
    const state = sessions.get(session)
    if (state) eraseClientState(state)
    sessions.delete(session)
    finished.add(session)
  }
  const take = <P extends SecaggClientState['phase']>(session: string, phase: P) => {
    const state = sessions.get(session)
    if (!state || state.phase !== phase)
      throw new MsflError(
        'PROTOCOL',
        `session ${JSON.stringify(session)} is not waiting for this message (expected the ${phase} step)`,
      )
    // Out of the map while this step runs: a duplicate request cannot run it twice.
    sessions.delete(session)
    return state as Extract<SecaggClientState, { phase: P }>
  }
  const resume = (session: string, state: SecaggClientState) => {
    if (finished.has(session)) {
      eraseClientState(state)
      throw new MsflError('PROTOCOL', `session ${JSON.stringify(session)} was aborted meanwhile`)
    }
    sessions.set(session, state)
  }

  return {
    async handle(message: unknown): Promise<unknown> {
      const parsed = clientInboxSchema.safeParse(message)
      if (!parsed.success)
        return { type: 'error', clientId, message: describeZodError(parsed.error, 'secagg') }
      const m = parsed.data
      // The state a step is working on, erased if the step fails.
      let inFlight: SecaggClientState | undefined
      try {
        switch (m.type) {
          case 'secagg-setup': {
            if (sessions.has(m.session) || finished.has(m.session))
              throw new MsflError(
                'PROTOCOL',
                `session ${JSON.stringify(m.session)} was already used`,
              )
            const { state, reply } = advertiseKeys(clientId, m, crypto, identity)
            sessions.set(m.session, state)
            return reply
          }
          case 'secagg-roster': {
            inFlight = take(m.session, 'advertised')
            const { state, reply } = shareKeys(inFlight, m, crypto, identity)
            inFlight = state
            resume(m.session, state)
            return reply
          }
          case 'secagg-masked-input-request': {
            const shared = take(m.session, 'shared')
            inFlight = shared
            const input = await options.input({
              session: m.session,
              dimension: shared.parameters.dimension,
            })
            const { state, reply } = maskInput(shared, m, input, crypto)
            inFlight = state
            resume(m.session, state)
            return reply
          }
          case 'secagg-consistency-request': {
            inFlight = take(m.session, 'masked')
            const { state, reply } = signSurvivors(inFlight, m, identity)
            inFlight = state
            resume(m.session, state)
            return reply
          }
          case 'secagg-unmask-request': {
            inFlight = take(m.session, 'signed')
            const reply = revealShares(inFlight, m)
            eraseClientState(inFlight)
            finished.add(m.session)
            return reply
          }
          case 'secagg-abort':
            end(m.session)
            return { type: 'secagg-aborted', session: m.session, clientId }
        }
      } catch (error) {
        if (inFlight) eraseClientState(inFlight)
        end(m.session)
        if (error instanceof MsflError) return { type: 'error', clientId, message: error.message }
        throw error
      }
    },
  }
}
