import type { Hex } from '../../adapters/ledger-evm/index.ts'
import {
  decodeSettlementLogs,
  modelDigest,
  type SettlementEvent,
  type SettlementEventOf,
  verifyTableCommittedEvent,
} from '../../adapters/ledger-evm/index.ts'
import { digestHex } from '../../core/crypto/digestHex.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { openRunChain, type RunChain } from './openRunChain.ts'

/** A checked `msfl chain` request: the subcommand and its flags. */
export interface RunChainQuery {
  readonly sub: 'summary' | 'rounds' | 'table' | 'balances' | 'payouts' | 'verify-model'
  readonly run: string
  readonly out: string
  readonly ledger: string | undefined
  readonly json: boolean
  /** Protocol round; required by `table` and `verify-model`. */
  readonly round: number | undefined
  /** The model file's bytes (verify-model). */
  readonly model: Uint8Array | undefined
}

interface Round {
  readonly opened: SettlementEventOf<'RoundOpened'>
  readonly committed?: SettlementEventOf<'TableCommitted'>
  readonly delivered?: SettlementEventOf<'Delivered'>
  readonly paid: SettlementEventOf<'Paid'>[]
  readonly deferred: SettlementEventOf<'PaymentDeferred'>[]
  readonly refunded: SettlementEventOf<'Refunded'>[]
}

/**
 * Answers one `msfl chain` request from the contract's own events and balances: the chain a
 * run settled on is reopened (rebuilt from its journal, or read from the node) and closed
 * after. Returns the exit code (verify-model: 1 when the model does not match).
 */
export async function inspectRunChain(q: RunChainQuery): Promise<number> {
  const run = await openRunChain({ out: q.out, run: q.run, rpc: q.ledger })
  try {
    const events = decodeSettlementLogs(
      await run.chain.getLogs({ address: run.contract.address, fromBlock: run.contract.fromBlock }),
    )
    const rounds = groupRounds(events)
    const print = (text: string, json: unknown) =>
      process.stdout.write(q.json ? `${JSON.stringify(json, bigintJson)}\n` : text)
    switch (q.sub) {
      case 'verify-model':
        return await verifyModel(run, q.model!, q.round!, print)
      case 'table':
        return tableOf(run, rounds, q.round!, print)
      case 'rounds':
        print(
          formatRounds(run, rounds),
          rounds.map((r) => roundJson(run, r)),
        )
        return 0
      case 'payouts': {
        const totals = payoutTotals(run, rounds)
        print(
          [...totals].map(([who, amount]) => `${who.padEnd(18)} ${amount} wei\n`).join(''),
          Object.fromEntries(totals),
        )
        return 0
      }
      case 'balances': {
        const balances = await balancesOf(run)
        print(
          balances
            .map(
              (b) =>
                `${b.label.padEnd(18)} ${b.balance} wei${b.withdrawable ? `  (${b.withdrawable} wei to withdraw)` : ''}\n`,
            )
            .join(''),
          balances,
        )
        return 0
      }
      default: {
        const balances = await balancesOf(run)
        const deposit = rounds.reduce((s, r) => s + r.opened.deposit, 0n)
        const refund = rounds.reduce(
          (s, r) => s + r.refunded.reduce((t, e) => t + e.amount, 0n),
          0n,
        )
        const paid = [...payoutTotals(run, rounds).values()].reduce((s, a) => s + a, 0n)
        const escrow = balances.find((b) => b.label === 'contract')?.balance ?? 0n
        const models = events.filter((e) => e.name === 'ModelRegistered').length
        print(
          `contract ${run.contract.address} on ${run.record.kind === 'evm' ? 'the in-process EVM (rebuilt from the run journal)' : 'the JSON-RPC node'}, chain ${run.record.chainId}\n` +
            `rounds ${rounds.length}, delivered ${rounds.filter((r) => r.delivered).length}, model hashes ${models}\n` +
            `deposits ${deposit} wei = paid ${paid} + refunded ${refund} + in escrow ${escrow}\n`,
          {
            contract: run.contract.address,
            chainId: run.record.chainId,
            rounds: rounds.length,
            deposit,
            paid,
            refund,
            escrow,
            models,
          },
        )
        return 0
      }
    }
  } finally {
    await run.close()
  }
}

async function verifyModel(
  run: RunChain,
  model: Uint8Array,
  round: number,
  print: (text: string, json: unknown) => void,
): Promise<number> {
  const requestor = run.record.accounts['model-requestor'] as Hex | undefined
  if (!requestor) throw new MsflError('DATA_FORMAT', 'ledger.json: no model-requestor account')
  const registered = await run.contract.modelHash(requestor, BigInt(round))
  const actual = digestHex(modelDigest(model))
  if (/^0x0+$/.test(registered))
    throw new MsflError('CONFIG_INVALID', `--round: no model hash is registered for round ${round}`)
  const ok = registered.toLowerCase() === actual.toLowerCase()
  print(
    ok
      ? `ok: the file's keccak256 ${actual} is the model hash registered for round ${round}\n`
      : `MISMATCH: the file's keccak256 is ${actual}, the contract registered ${registered} for round ${round}\n`,
    { ok, round, registered, actual },
  )
  return ok ? 0 : 1
}

function tableOf(
  run: RunChain,
  rounds: readonly Round[],
  round: number,
  print: (text: string, json: unknown) => void,
): number {
  const found = rounds.filter((r) => r.opened.protocolRound === BigInt(round) && r.committed)
  if (found.length === 0)
    throw new MsflError('CONFIG_INVALID', `--round: no table was committed for round ${round}`)
  const r = found.at(-1)!
  const committed = r.committed!
  const owners = r.opened.owners
  verifyTableCommittedEvent(committed, owners.length)
  const rows = owners.map((address, i) => ({
    owner: label(run, address),
    address,
    components: committed.counts[i]!,
    share: committed.counts[i]! / committed.components,
  }))
  print(
    `round ${round} (contract round ${r.opened.roundId}): ${committed.components} components, ${committed.contributions} contributions, table hash ${committed.tableHash} — verified against the committed counts\n` +
      rows
        .map(
          (row) =>
            `  ${row.owner.padEnd(10)} ${String(row.components).padStart(6)} components (${(row.share * 100).toFixed(1)} %)\n`,
        )
        .join(''),
    {
      round,
      roundId: r.opened.roundId,
      tableHash: committed.tableHash,
      verified: true,
      owners: rows,
    },
  )
  return 0
}

function groupRounds(events: readonly SettlementEvent[]): Round[] {
  const rounds = new Map<bigint, Round>()
  for (const e of events) {
    if (e.name === 'RoundOpened') {
      rounds.set(e.roundId, { opened: e, paid: [], deferred: [], refunded: [] })
      continue
    }
    if (!('roundId' in e)) continue
    const r = rounds.get(e.roundId)
    if (!r) continue
    if (e.name === 'TableCommitted') rounds.set(e.roundId, { ...r, committed: e })
    else if (e.name === 'Delivered') rounds.set(e.roundId, { ...r, delivered: e })
    else if (e.name === 'Paid') r.paid.push(e)
    else if (e.name === 'PaymentDeferred') r.deferred.push(e)
    else if (e.name === 'Refunded') r.refunded.push(e)
  }
  return [...rounds.values()]
}

const label = (run: RunChain, address: string) => run.labels.get(address.toLowerCase()) ?? address

function payoutTotals(run: RunChain, rounds: readonly Round[]): Map<string, bigint> {
  const totals = new Map<string, bigint>()
  for (const r of rounds)
    for (const e of [...r.paid, ...r.deferred]) {
      const who = label(run, e.account)
      totals.set(who, (totals.get(who) ?? 0n) + e.amount)
    }
  return totals
}

function roundJson(run: RunChain, r: Round) {
  return {
    roundId: r.opened.roundId,
    protocolRound: r.opened.protocolRound,
    deposit: r.opened.deposit,
    price: r.opened.price,
    contributions: r.committed?.contributions,
    funded: r.committed?.funded,
    delivered: r.delivered !== undefined,
    paid: Object.fromEntries(
      [...r.paid, ...r.deferred].map((e) => [label(run, e.account), e.amount]),
    ),
    refund: r.refunded.reduce((s, e) => s + e.amount, 0n),
  }
}

function formatRounds(run: RunChain, rounds: readonly Round[]): string {
  return rounds
    .map((r) => {
      const j = roundJson(run, r)
      const status = j.delivered
        ? 'delivered'
        : j.refund > 0n
          ? 'refunded'
          : j.funded === false
            ? 'unfunded'
            : 'open'
      const paid = Object.values(j.paid).reduce((s, a) => s + a, 0n)
      return `round ${String(j.protocolRound).padStart(4)} (#${j.roundId})  ${status.padEnd(9)} deposit ${j.deposit} wei, ${j.contributions ?? '-'} contributions at ${j.price} wei, paid ${paid} wei to ${Object.keys(j.paid).length} owners, refund ${j.refund} wei\n`
    })
    .join('')
}

async function balancesOf(run: RunChain) {
  const out: { label: string; address: string; balance: bigint; withdrawable: bigint }[] = []
  for (const [labelText, address] of [
    ...Object.entries(run.record.accounts),
    ['contract', run.contract.address] as const,
  ])
    out.push({
      label: labelText,
      address,
      balance: await run.chain.getBalance(address as Hex),
      withdrawable: labelText === 'contract' ? 0n : await run.contract.withdrawable(address as Hex),
    })
  return out
}

const bigintJson = (_: string, value: unknown) =>
  typeof value === 'bigint' ? value.toString() : value
