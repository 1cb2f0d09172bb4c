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
  const adrm = createAdrm(
    { ...config, detection: { ...config.detection, space: 'affine' } },
    createSeededRng(deriveSeed(p.seed, 'adrm')),
  )
  const blocks: { round: number; clientId: string; reason: string }[] = []
  const report = (notices: readonly AdrmNotice[]) => {
    for (const notice of notices) {
      if (notice.type === 'client-blocked')
        blocks.push({ round: notice.round, clientId: notice.clientId, reason: notice.reason })
      p.emit({ ...notice, runId: p.runId, at: p.now() })
    }
  }
  const rounds: DetectionRound[] = []
  const aside = new Map<number, Set<string>>()
  return {
    screen(round, owners, masked) {
      const inspection = adrm.inspect(
        round,
        p.now(),
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
      return out
    },
    setAside: (round) => aside.get(round) ?? new Set(),
    summary: () => ({
      adrm: adrm.snapshot(),
      inspections: [...rounds],
      ...(attackers ? { detection: detectionMetrics(rounds, attackers) } : {}),
      rollbacks: [],
      blocks: [...blocks],
    }),
  }
}
