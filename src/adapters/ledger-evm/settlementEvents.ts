import { decodeEventLog } from 'viem'
import type { ChainLog, Hex } from './chainClient.ts'
import { settlementAbi } from './settlementArtifact.ts'

/** The contract's events, decoded. Amounts in wei. */
export type SettlementEvent =
  | {
      readonly name: 'RoundOpened'
      readonly roundId: bigint
      readonly requestor: Hex
      readonly provider: Hex
      readonly protocolRound: bigint
      readonly deadline: bigint
      readonly deposit: bigint
      readonly price: bigint
      readonly owners: readonly Hex[]
    }
  | {
      readonly name: 'TableCommitted'
      readonly roundId: bigint
      readonly components: number
      /** TableFormat: 0 bitmap, 1 combinatorial. */
      readonly format: number
      /** Owners per component in the combinatorial format; 0 for the bitmap. */
      readonly k: number
      readonly contributions: bigint
      readonly funded: boolean
      readonly tableHash: Hex
      readonly counts: readonly number[]
      readonly table: Hex
    }
  | {
      readonly name: 'Paid'
      readonly roundId: bigint
      readonly account: Hex
      readonly amount: bigint
    }
  | {
      readonly name: 'PaymentDeferred'
      readonly roundId: bigint
      readonly account: Hex
      readonly amount: bigint
    }
  | {
      readonly name: 'Refunded'
      readonly roundId: bigint
      readonly requestor: Hex
      readonly amount: bigint
    }
  | {
      readonly name: 'Delivered'
      readonly roundId: bigint
      readonly resultHash: Hex
      readonly uri: string
      readonly paid: bigint
      readonly refund: bigint
    }
  | { readonly name: 'Declined'; readonly roundId: bigint; readonly reason: string }
  | { readonly name: 'Withdrawn'; readonly account: Hex; readonly to: Hex; readonly amount: bigint }
  | {
      readonly name: 'ModelRegistered'
      readonly requestor: Hex
      readonly round: bigint
      readonly modelHash: Hex
    }

export type SettlementEventOf<N extends SettlementEvent['name']> = Extract<
  SettlementEvent,
  { name: N }
>

/** Decodes the logs of the settlement contract; logs of other contracts must be filtered out first. */
export function decodeSettlementLogs(logs: readonly ChainLog[]): SettlementEvent[] {
  return logs.map((log) => {
    const decoded = decodeEventLog({
      abi: settlementAbi,
      topics: log.topics as [Hex, ...Hex[]],
      data: log.data,
    })
    return { name: decoded.eventName, ...(decoded.args as object) } as unknown as SettlementEvent
  })
}

/** Everything the chain recorded about one round, in log order. */
export interface RoundRecord {
  readonly opened: SettlementEventOf<'RoundOpened'>
  readonly committed?: SettlementEventOf<'TableCommitted'>
  readonly delivered?: SettlementEventOf<'Delivered'>
  /** The provider declined the round (the deposit was refunded with it). */
  readonly declined?: SettlementEventOf<'Declined'>
  readonly paid: readonly SettlementEventOf<'Paid'>[]
  readonly deferred: readonly SettlementEventOf<'PaymentDeferred'>[]
  readonly refunded: readonly SettlementEventOf<'Refunded'>[]
}

/** Groups decoded events of one round; undefined when the round was never opened. */
export function collectRoundRecord(
  roundId: bigint,
  events: readonly SettlementEvent[],
): RoundRecord | undefined {
  const mine = events.filter((e) => 'roundId' in e && e.roundId === roundId)
  const opened = mine.find((e) => e.name === 'RoundOpened')
  if (!opened) return undefined
  const pick = <N extends SettlementEvent['name']>(name: N) =>
    mine.filter((e): e is SettlementEventOf<N> => e.name === name)
  const committed = pick('TableCommitted')[0]
  const delivered = pick('Delivered')[0]
  const declined = pick('Declined')[0]
  return {
    opened,
    ...(committed ? { committed } : {}),
    ...(delivered ? { delivered } : {}),
    ...(declined ? { declined } : {}),
    paid: pick('Paid'),
    deferred: pick('PaymentDeferred'),
    refunded: pick('Refunded'),
  }
}
