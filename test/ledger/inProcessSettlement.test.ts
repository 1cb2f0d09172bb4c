import { describe } from 'node:test'
import { createInProcessChain } from '../../src/adapters/ledger-evm/index.ts'
import { registerSettlementScenarios } from './settlementScenarios.ts'

describe('settlement contract on the in-process EVM', () => {
  registerSettlementScenarios((accounts, balance) =>
    createInProcessChain({ genesis: accounts.map((a) => ({ address: a.address, balance })) }),
  )
})
