/** Refuses stale, future and replayed envelopes (see createFreshnessCheck). */
export interface FreshnessCheck {
  /**
   * Why the envelope `(sender, kind, id)` signed at `timestamp` is refused, or undefined
   * when it is fresh, in which case it is remembered so a second copy is refused.
   */
  refuse(sender: string, kind: string, id: string, timestamp: number): string | undefined
}

/**
 * Freshness of signed envelopes: a timestamp more than `windowMs` from the receiver's clock
 * (either way) is refused, and so is an envelope seen before within the window. Ids older
 * than the window are forgotten: their timestamp alone now refuses them, so memory is
 * bounded by the envelopes one window holds. The clock is injected (tests pass their own).
 */
export function createFreshnessCheck(windowMs: number, now: () => number): FreshnessCheck {
  /** Key → the timestamp it was signed at, in arrival order, for pruning. */
  const seen = new Map<string, number>()
  const prune = (at: number) => {
    for (const [key, timestamp] of seen) {
      if (at - timestamp <= windowMs) continue
      seen.delete(key)
    }
  }
  let lastPrune = Number.NEGATIVE_INFINITY
  return {
    refuse(sender, kind, id, timestamp) {
      const at = now()
      if (timestamp < at - windowMs)
        return `stale timestamp: signed ${at - timestamp} ms ago, the window is ${windowMs} ms`
      if (timestamp > at + windowMs)
        return `timestamp from the future: ${timestamp - at} ms ahead, the window is ${windowMs} ms`
      // A reply repeats its request's id; the kind keeps the two apart.
      const key = `${sender}\u0000${kind}\u0000${id}`
      if (seen.has(key))
        return `replayed envelope: ${kind} ${id} from ${sender} was already received`
      if (at - lastPrune > windowMs) {
        prune(at)
        lastPrune = at
      }
      seen.set(key, timestamp)
      return undefined
    },
  }
}
