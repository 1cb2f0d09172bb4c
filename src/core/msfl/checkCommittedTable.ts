import type { ContributionTable } from '../ports/settlement.ts'
import { findThinComponent } from './minOwners.ts'

/**
 * The service provider's check of the table the requestor committed, before it sums any
 * unmasked ciphertext: the table must name exactly the owners whose gradients the SP
 * holds, in order, cover every component of the round, and sum every component it
 * selects over at least `minOwners` owners. Returns why the table is refused, or
 * undefined when the SP may serve it. The SP does not trust the requestor: a table the
 * honest requestor never builds (one owner on a column) is exactly what it must refuse.
 */
export function checkCommittedTable(
  table: ContributionTable,
  expected: {
    readonly owners: readonly string[]
    readonly components: number
    readonly minOwners: number
  },
): string | undefined {
  if (table.owners.join('\n') !== expected.owners.join('\n'))
    return 'the table names other owners than those whose gradients the service provider holds'
  if (table.components !== expected.components)
    return `the table has ${table.components} components, the round has ${expected.components}`
  const thin = findThinComponent(table.selected, table.owners.length, expected.minOwners)
  if (thin)
    return `component ${thin.component} sums ${thin.owners} owner${thin.owners === 1 ? '' : 's'}, fewer than msfl.minOwners = ${expected.minOwners}`
  return undefined
}
