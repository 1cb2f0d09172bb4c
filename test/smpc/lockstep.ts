import { reconstructBits, reconstructRing } from '../../src/core/smpc/additiveSharing.ts'
import type { Opening, ProtocolRun } from '../../src/core/smpc/protocolStep.ts'

/**
 * Drives one protocol generator per party in lockstep without any transport: collects
 * every party's share of an opening, opens it (sum or XOR) and resumes them all. Also
 * checks that the parties agree on the shape of every opening, and records what was
 * opened so a test can inspect a node's view.
 */
export function runLockstep<T>(runs: ProtocolRun<T>[]): {
  results: T[]
  openings: { phase: Opening['phase']; opened: Uint32Array }[]
} {
  const openings: { phase: Opening['phase']; opened: Uint32Array }[] = []
  let steps = runs.map((run) => run.next())
  for (;;) {
    if (steps.every((s) => s.done)) return { results: steps.map((s) => s.value as T), openings }
    if (steps.some((s) => s.done)) throw new Error('parties finished at different steps')
    const requests = steps.map((s) => s.value as Opening)
    const { phase, kind } = requests[0]!
    for (const r of requests)
      if (r.phase !== phase || r.kind !== kind || r.share.length !== requests[0]!.share.length)
        throw new Error(`parties disagree on opening ${openings.length}`)
    const shares = requests.map((r) => r.share)
    const opened = kind === 'ring' ? reconstructRing(shares) : reconstructBits(shares)
    openings.push({ phase, opened })
    steps = runs.map((run) => run.next(opened))
  }
}
