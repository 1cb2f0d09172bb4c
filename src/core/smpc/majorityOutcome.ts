import { MsflError } from '../errors/msflError.ts'

/** One node's reported outcome of a session (the fields of its smpc-result). */
export interface NodeReport {
  readonly node: string
  readonly correct: readonly number[]
  readonly inRange: readonly number[]
  readonly accepted: readonly boolean[]
  readonly aggregate: Int32Array
}

export interface MajorityVerdict {
  /** The outcome a strict majority of all nodes reported. */
  readonly agreed: NodeReport
  readonly agreeing: readonly string[]
  /** Nodes that reported anything else (or nothing): outvoted, named for the record. */
  readonly outvoted: readonly string[]
}

function sameArray<T>(a: ArrayLike<T>, b: ArrayLike<T>): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function sameOutcome(a: NodeReport, b: NodeReport): boolean {
  return (
    sameArray(a.correct, b.correct) &&
    sameArray(a.inRange, b.inRange) &&
    sameArray(a.accepted, b.accepted) &&
    sameArray(a.aggregate, b.aggregate)
  )
}

/**
 * The outcome reported by more than half of `nodes`. Honest nodes open the same values
 * and so report identical outcomes; a minority that reports something else (a node
 * lying to the coordinator or the ledger, or one whose view was corrupted) is outvoted
 * and named. No strict majority fails closed with MsflError('PROTOCOL'). Reports are
 * public values, so plain comparison is fine (no secret to leak through timing).
 */
export function majorityOutcome(
  nodes: readonly string[],
  reports: readonly NodeReport[],
): MajorityVerdict {
  const groups: NodeReport[][] = []
  for (const report of reports) {
    if (!nodes.includes(report.node))
      throw new MsflError(
        'PROTOCOL',
        `a report from ${JSON.stringify(report.node)}, who is not a verifier`,
      )
    if (groups.some((g) => g.some((r) => r.node === report.node)))
      throw new MsflError('PROTOCOL', `two reports from ${report.node}`)
    const group = groups.find((g) => sameOutcome(g[0]!, report))
    if (group) group.push(report)
    else groups.push([report])
  }
  const largest = groups.reduce<NodeReport[]>((best, g) => (g.length > best.length ? g : best), [])
  if (2 * largest.length <= nodes.length)
    throw new MsflError(
      'PROTOCOL',
      `verifier nodes disagree and no outcome has a majority (${groups.map((g) => g.map((r) => r.node).join('+')).join(' vs ') || 'no reports'})`,
    )
  const agreeing = largest.map((r) => r.node)
  return {
    agreed: largest[0]!,
    agreeing,
    outvoted: nodes.filter((n) => !agreeing.includes(n)),
  }
}
