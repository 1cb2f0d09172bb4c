import type { AdrmNotice } from '../../core/adrm/adrmNotice.ts'
import { type AdrmSnapshot, createAdrm } from '../../core/adrm/createAdrm.ts'
import { parseAdrmSpec } from '../../core/adrm/parseAdrmSpec.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import {
  type DetectionMetrics,
  type DetectionRound,
  detectionMetrics,
} from '../../core/metrics/detectionMetrics.ts'
import { createSeededRng, deriveSeed } from '../../core/rng/seededRng.ts'

/** What the screen decided over a run: ADRM's state, the inspections and the blocks. */
export interface MsflScreenSummary {
  readonly adrm: AdrmSnapshot
  /** Each round's inspected and flagged owners, as the requestor saw them. */
  readonly inspections: readonly DetectionRound[]
  /** Detection against the known attackers: simulation only (a deployment has no labels). */
  readonly detection?: DetectionMetrics
  readonly rollbacks: readonly []
  readonly blocks: readonly { round: number; clientId: string; reason: string }[]
}

/** One round's input to the screen: what a replay needs to screen it again identically. */
interface ScreenedRound {
  readonly round: number
  /** The requestor's clock when it screened the round (blocks expire by it). */
  readonly at: number
  readonly owners: readonly string[]
  readonly masked: readonly Float64Array[]
}

/** ADRM at the MS-FL requestor: its per-round hook and what it decided. */
export interface MsflScreen {
  /** The requestor's hook: owners whose masked gradient is set aside this round. */
  screen(round: number, owners: readonly string[], masked: readonly Float64Array[]): string[]
  /** Owners set aside in `round` (the plaintext replay applies the same decision). */
  setAside(round: number): ReadonlySet<string>
  summary(): MsflScreenSummary
}

/**
 * ADRM's detection stage at the MS-FL requestor, on masked gradients. Only
 * `--mask global-scale` keeps distances meaningful (every owner's gradient is mapped by
 * the same c·g + d), so detection runs in the affine space: features are taken on
 * deviations from the coordinate-wise median (d cancels) and compared across owners
 * (c cancels). Flagged owners are quarantined: selected on no component, so unpaid;
 * reputation and blocks carry over rounds. The model manager (rollback) needs the
 * plaintext model's validation accuracy and is not part of this stage.
 *
 * The same code runs in simulation and at a deployed requestor. Only a simulation knows
 * the attackers: without `attackers` there are no detection metrics, and
 * `adrm:labels=oracle` (labels from the known attackers) is refused.
 */
export function createMsflScreen(p: {
  readonly runId: string
  readonly spec: string
  readonly seed: number
  /**
   * Simulation only: the known attackers (detection metrics; labels with adrm:labels=oracle).
   * A deployment passes none.
   */
  readonly attackers?: ReadonlySet<string>
  readonly emit: EventSink
  readonly now: () => number
}): MsflScreen {
  const config = parseAdrmSpec(p.spec)
  const attackers = p.attackers
  if (config.labels === 'oracle' && !attackers)
    throw new MsflError(
      'CONFIG_INVALID',
      'defence: adrm:labels=oracle labels rounds with the simulated attackers, which a deployment does not know: use labels=none',
    )
  const fresh = () => ({
    adrm: createAdrm(
      { ...config, detection: { ...config.detection, space: 'affine' } },
      createSeededRng(deriveSeed(p.seed, 'adrm')),
    ),
    blocks: [] as { round: number; clientId: string; reason: string }[],
    rounds: [] as DetectionRound[],
    aside: new Map<number, Set<string>>(),
  })
  let state = fresh()
  // Every screened round's input, so a round screened again can be screened as if it were
  // the first time (see screen).
  let screened: ScreenedRound[] = []
  const inspectOn = (input: ScreenedRound, silent: boolean): string[] => {
    const { adrm, blocks, rounds, aside } = state
    const report = (notices: readonly AdrmNotice[]) => {
      for (const notice of notices) {
        if (notice.type === 'client-blocked')
          blocks.push({ round: notice.round, clientId: notice.clientId, reason: notice.reason })
        if (!silent) p.emit({ ...notice, runId: p.runId, at: p.now() })
      }
    }
    const { round, owners, masked } = input
    const inspection = adrm.inspect(
      round,
      input.at,
      owners.map((clientId, i) => ({ clientId, numExamples: 1, update: masked[i]! })),
    )
    report(inspection.notices)
    const inspected = inspection.decisions.map((d) => d.clientId)
    rounds.push({
      round,
      inspected,
      flagged: inspection.decisions.filter((d) => d.flagged).map((d) => d.clientId),
    })
    // Only with adrm:labels=oracle (simulation): a deployment knows no attackers.
    if (config.labels === 'oracle' && attackers)
      report(
        adrm.labelRound(
          round,
          inspected.filter((id) => attackers.has(id)),
        ),
      )
    const out = [...inspection.quarantined, ...inspection.refused.map((r) => r.clientId)]
    aside.set(round, new Set(out))
    screened.push(input)
    return out
  }
  return {
    screen(round, owners, masked) {
      // A round screened again (a restarted provider runs it again after its first selection
      // was refunded) must not count twice in reputations and habits: ADRM is rebuilt from the
      // rounds before it, replayed silently on their recorded inputs, then screens it afresh.
      if (screened.some((s) => s.round >= round)) {
        const before = screened.filter((s) => s.round < round)
        state = fresh()
        screened = []
        for (const input of before) inspectOn(input, true)
      }
      return inspectOn({ round, at: p.now(), owners: [...owners], masked: [...masked] }, false)
    },
    setAside: (round) => state.aside.get(round) ?? new Set(),
    summary: () => ({
      adrm: state.adrm.snapshot(),
      inspections: [...state.rounds],
      ...(attackers ? { detection: detectionMetrics(state.rounds, attackers) } : {}),
      rollbacks: [],
      blocks: [...state.blocks],
    }),
  }
}
