import { registerAdversarialScenarios } from './adversarialScenarios.ts'
import type { OpenChain } from './ledgerWorld.ts'
import { registerPortScenarios } from './portScenarios.ts'

/** Every settlement scenario of issue 5, for one kind of chain. */
export function registerSettlementScenarios(open: OpenChain): void {
  registerPortScenarios(open)
  registerAdversarialScenarios(open)
}
