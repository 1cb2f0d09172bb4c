import { decodeErrorResult } from 'viem'
import { ChainRevertError, type Hex } from './chainClient.ts'
import { roundStatuses, settlementAbi } from './settlementArtifact.ts'

/** The contract refused a call with one of its custom errors, decoded. */
export class SettlementRevertError extends ChainRevertError {
  readonly errorName: string
  readonly args: readonly unknown[]
  constructor(message: string, data: Hex, errorName: string, args: readonly unknown[]) {
    super(message, data)
    this.errorName = errorName
    this.args = args
  }
}

/**
 * Turns a ChainRevertError from `action` into a SettlementRevertError whose message says
 * what went wrong in words (and ends with the custom error's name); other errors pass.
 */
export function describeRevert(action: string, error: unknown): unknown {
  if (!(error instanceof ChainRevertError) || error.data === '0x') return error
  let decoded: { errorName: string; args: readonly unknown[] }
  try {
    const result = decodeErrorResult({ abi: settlementAbi, data: error.data })
    decoded = { errorName: result.errorName, args: result.args ?? [] }
  } catch {
    return error
  }
  const { errorName, args } = decoded
  const a = args.map((x) => String(x))
  const reasons: Record<string, () => string> = {
    DepositTooSmall: () => `the deposit of ${a[0]} wei cannot pay one contribution at ${a[1]} wei`,
    NotFunded: () =>
      `round ${a[0]} is not funded: its table costs ${a[1]} wei, the deposit is ${a[2]} wei`,
    RoundClosed: () =>
      `round ${a[0]} is already ${roundStatuses[Number(args[1])] === 'refunded' ? 'refunded' : 'settled'}`,
    TableNotCommitted: () => `round ${a[0]} has no contribution table yet`,
    TableAlreadyCommitted: () => `round ${a[0]} already has its contribution table`,
    NotProvider: () => `${a[1]} is not the service provider of round ${a[0]}`,
    NotRequestor: () => `${a[1]} is not the model requestor of round ${a[0]}`,
    UnknownRound: () => `no round ${a[0]}`,
    TermsMismatch: () => `the terms sent for round ${a[0]} are not the ones on the ledger`,
    DeadlinePassed: () => `round ${a[0]} passed its deadline ${a[1]}`,
    DeadlineNotReached: () => `round ${a[0]} is before its deadline ${a[1]}`,
    NothingToWithdraw: () => `${a[0]} has nothing to withdraw`,
    UnsupportedTableFormat: () =>
      `table format ${a[0]} with k = ${a[1]} is not defined for ${a[2]} owners (bitmap: k = 0; combinatorial: 0 < k < owners ≤ 255)`,
    ContributionsMismatch: () =>
      `the counts add up to ${a[1]}, but k owners in every component make ${a[0]}`,
    ModelAlreadyRegistered: () => `${a[0]} already registered a model for round ${a[1]}`,
  }
  const reason = reasons[errorName]?.() ?? `${errorName}(${a.join(', ')})`
  return new SettlementRevertError(
    `ledger: ${action} refused: ${reason} (${errorName})`,
    error.data,
    errorName,
    args,
  )
}
