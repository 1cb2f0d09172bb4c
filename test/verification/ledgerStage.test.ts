import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { modelDigest } from '../../src/adapters/ledger-evm/index.ts'
import { createRunLedger } from '../../src/cli/msfl/createRunLedger.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { globalModelBytes } from '../../src/core/verification/wrapModelCheck.ts'
import { createLedgerStage } from '../../src/runtime/ledger/createLedgerStage.ts'

const spec = { kind: 'logistic', inputDim: 3, outputDim: 1, hidden: [], l2: 0 } as const
const owners = ['do-1', 'do-2', 'do-3']

for (const kind of ['memory', 'evm'] as const)
  describe(`the ledger stage of a plaintext run (${kind})`, () => {
    it('registers every model and pays reputation points × price, table verified', async () => {
      const ledger = await createRunLedger(
        { ledger: kind, pricePerComponent: 3n, owners },
        new Uint8Array(32).fill(9),
      )
      try {
        const events: RunEvent[] = []
        const points: Record<number, Record<string, number>> = {
          1: { 'do-1': 100, 'do-2': 75, 'do-3': 0 },
          2: { 'do-1': 100, 'do-2': 80.9, 'do-3': 250 },
        }
        const stage = createLedgerStage({
          runId: 'r',
          settlement: ledger.settlement,
          spec,
          digest: modelDigest,
          owners,
          payoutPoints: (round) => points[round]!,
          emit: (e) => events.push(e),
          now: () => 0,
        })
        const models = [0, 1, 2].map((r) => Float64Array.of(r, r + 0.5, -r, 1))
        for (const [round, params] of models.entries()) await stage.publish!(round, params, [])
        for (const [round, params] of models.entries())
          assert.deepEqual(
            await ledger.settlement.modelDigest(round),
            modelDigest(globalModelBytes(spec, params)),
          )
        const paid: Record<string, bigint> = {}
        for (const e of events)
          if (e.type === 'payment-made')
            paid[e.clientId] = (paid[e.clientId] ?? 0n) + BigInt(e.amount)
        // Round 1: 100, 75, 0 points; round 2: 100, 80 (floored), 100 (capped).
        assert.deepEqual(paid, { 'do-1': 600n, 'do-2': 465n, 'do-3': 300n })
        const checks = events.filter((e) => e.type === 'table-verified')
        assert.equal(checks.length, 6)
        assert.ok(checks.every((e) => e.type === 'table-verified' && e.ok))
        assert.equal(await ledger.escrowBalance(), 0n)
      } finally {
        await ledger.close()
      }
    })
  })
