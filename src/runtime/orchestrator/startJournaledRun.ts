import type { Strategy } from '../../core/fl/strategy.ts'
import type { Rng } from '../../core/rng/rng.ts'
import type { RunJournal } from './openRunJournal.ts'

/** What a journaled run starts from: the job's initial model and its sampling stream. */
export interface JournaledStart {
  readonly strategy: Strategy
  /** The owners in the job's order (the order sampling draws from). */
  readonly owners: readonly string[]
  readonly initialParams: Float64Array
  /** The job's sampling stream, at its start. */
  readonly rng: Rng
}

/**
 * The runFederation parameters of a journaled run. A fresh run records its initial model and
 * starts at round 1. A resumed run starts at the first unfinished round from the model the
 * store holds for the round before, and with the sampling stream where that round left it:
 * the stream is sequential (as in simulation), so it is replayed by drawing the earlier rounds'
 * selections again — draws depend only on the owners and the policy, so the resumed run asks
 * exactly the owners the uninterrupted run asks and trains the same model bit for bit.
 */
export async function startJournaledRun(
  journal: RunJournal,
  start: JournaledStart,
): Promise<{
  readonly initialParams: Float64Array
  readonly rng: Rng
  readonly firstRound: number
  readonly journal: RunJournal
}> {
  const { resume } = journal
  if (!resume) {
    await journal.recordInitialModel(start.initialParams)
    return { initialParams: start.initialParams, rng: start.rng, firstRound: 1, journal }
  }
  for (let round = 1; round < resume.round; round++)
    start.strategy.configureRound(round, start.owners, start.rng)
  return { initialParams: resume.params, rng: start.rng, firstRound: resume.round, journal }
}
