/**
 * The colluding attackers' shared view in omniscient mode: before the malicious data
 * owners answer a round, the simulation shows them the honest updates of that round.
 * Only the simulation runtime feeds it; a real deployment has no such channel.
 */
export interface Adversary {
  observe(round: number, view: RoundView): void
  view(round: number): RoundView | undefined
}

export interface RoundView {
  readonly honest: readonly Float64Array[]
  readonly participants: number
  readonly attackers: number
}

export function createAdversary(): Adversary {
  let current: { round: number; view: RoundView } | undefined
  return {
    observe(round, view) {
      current = { round, view }
    },
    view(round) {
      return current?.round === round ? current.view : undefined
    },
  }
}
