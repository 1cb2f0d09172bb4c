import type { BlockLayout } from '../../core/msfl/blockLayout.ts'
import { selectionVectors } from '../../core/msfl/componentMasks.ts'
import type { HeCiphertext, HeEvaluator } from '../../core/ports/he.ts'
import type { ContributionTable } from '../../core/ports/settlement.ts'

/**
 * The service provider's aggregation (SPEC C2 step 6), once the committed table has been
 * checked: for every gradient ciphertext, the sum over the owners of their unmasked
 * ciphertext times their 0/1 selection of each component, as bytes. `valid` holds the
 * owners in the table's order.
 */
export function sumSelected(
  p: { readonly he: HeEvaluator; readonly layout: BlockLayout; readonly heads: number },
  table: ContributionTable,
  valid: readonly { readonly update: readonly Uint8Array[] }[],
): Uint8Array[] {
  const perHead = p.layout.gradientCiphertexts
  return p.he.scope(() => {
    const out: Uint8Array[] = []
    for (let index = 0; index < perHead * p.heads; index++) {
      const head = Math.floor(index / perHead)
      const c = index % perHead
      let sum: HeCiphertext | undefined
      valid.forEach(({ update }, owner) => {
        const keep = selectionVectors(
          p.layout,
          table.selected,
          valid.length,
          owner,
          head * p.layout.components,
        )[c]!
        const term = p.he.multiplyPlain(p.he.load(update[index]!), keep)
        sum = sum === undefined ? term : p.he.add(sum, term)
      })
      out.push(p.he.save(sum!, { compact: true }))
    }
    return out
  })
}
