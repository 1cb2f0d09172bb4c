import { paymentRoundOpenedSchema } from '../../core/deploy/paymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { ContributionTable, Settlement } from '../../core/ports/settlement.ts'
import type { Transport } from '../../core/ports/transport.ts'
import { expectReply } from '../msfl/expectReply.ts'

/**
 * The provider's settlement port in a deployed FedAvg job with ADRM: everything signs as the
 * provider (model registry, funding check, delivery) except `openRound`, which only the
 * requestor can sign because it pays. openRound sends the requestor the round's points
 * (`payment-round`: each owner's marks in the table) and returns the ledger round it opened;
 * a round whose committed table is not the one asked for is declined (the whole deposit
 * returns to the requestor) and fails the run.
 */
export function requestorFundedSettlement(p: {
  /** The provider's own settlement on the run's contract. */
  readonly settlement: Settlement
  readonly runId: string
  readonly requestor: string
  readonly transport: Transport
  readonly deadlineMs: number
}): Settlement {
  const { settlement } = p
  return {
    ...settlement,
    async openRound(table: ContributionTable) {
      const t = table.owners.length
      const points = table.owners.map((_, i) => {
        let count = 0
        for (let j = 0; j < table.components; j++) count += table.selected[j * t + i]!
        return count
      })
      const reply = await p.transport.request(
        p.requestor,
        {
          type: 'payment-round',
          runId: p.runId,
          round: table.round,
          owners: [...table.owners],
          points,
        },
        { deadlineMs: p.deadlineMs },
      )
      const opened = expectReply(
        paymentRoundOpenedSchema,
        reply,
        `the requestor ${p.requestor} (payment of round ${table.round})`,
      )
      if (
        opened.runId !== p.runId ||
        opened.clientId !== p.requestor ||
        opened.round !== table.round
      )
        throw new MsflError(
          'PROTOCOL',
          `the requestor answered the payment of round ${table.round} for another run, party or round`,
        )
      const committed = await settlement.table(opened.ledgerRound)
      if (!sameTable(committed, table)) {
        await settlement.decline(opened.ledgerRound, 'the committed table is not the round’s')
        throw new MsflError(
          'PROTOCOL',
          `the requestor opened ledger round ${opened.ledgerRound} with another table than round ${table.round}'s; declined`,
        )
      }
      return opened.ledgerRound
    },
  }
}

function sameTable(a: ContributionTable, b: ContributionTable): boolean {
  return (
    a.round === b.round &&
    a.components === b.components &&
    a.owners.join('\n') === b.owners.join('\n') &&
    a.selected.length === b.selected.length &&
    a.selected.every((v, i) => v === b.selected[i])
  )
}
