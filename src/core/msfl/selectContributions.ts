import { MsflError } from '../errors/msflError.ts'
import type { RobustRule } from '../robust/robustRule.ts'
import type { MaskMode } from './componentMasks.ts'
import { assertMinOwners, dropThinComponents } from './minOwners.ts'

/**
 * Rules that select whole owners by comparing entire update vectors. On masked data
 * they are only meaningful under `global-scale` masks, where every component shares
 * one scale c: Multi-Krum's distances all scale by |c| and cosine clustering works on
 * deviations from the median, so both select exactly what they would in the clear.
 * Under per-component masks each component has its own scale and the vectors'
 * geometry is scrambled. Krum would work on masked data too, but it selects a single
 * owner, whose gradient would be released alone; it is refused (assertMsflSelectionRule).
 */
export const MSFL_VECTOR_RULES = ['multi-krum', 'cosine-clustering'] as const

/**
 * Checks that the requestor can run `rule` on gradients masked with `mask` without ever
 * selecting fewer than `minOwners` owners on a component: Krum selects one owner (who would
 * then be aggregated alone on every component) and is refused, as is Multi-Krum with
 * m < minOwners.
 */
export function assertMsflSelectionRule(
  rule: Pick<RobustRule, 'name'> & { readonly options?: Readonly<Record<string, number>> },
  mask: MaskMode,
  minOwners: number,
): void {
  assertMinOwners(minOwners)
  if (rule.name === 'msfl') return
  if (rule.name === 'krum')
    throw new MsflError(
      'CONFIG_INVALID',
      `aggregator: krum selects one owner, whose gradient the requestor would decrypt alone on every component; use multi-krum with m ≥ msfl.minOwners = ${minOwners}`,
    )
  const m = rule.options?.m
  if (rule.name === 'multi-krum' && m !== undefined && m < minOwners)
    throw new MsflError(
      'CONFIG_INVALID',
      `aggregator: multi-krum with m = ${m} aggregates fewer owners than msfl.minOwners = ${minOwners}`,
    )
  if (!(MSFL_VECTOR_RULES as readonly string[]).includes(rule.name))
    throw new MsflError(
      'CONFIG_INVALID',
      `aggregator: the msfl protocol selects owners, so it runs msfl (any mask) or ${MSFL_VECTOR_RULES.join(', ')} (mask global-scale); '${rule.name}' is not a selection rule`,
    )
  if (mask !== 'global-scale')
    throw new MsflError(
      'CONFIG_INVALID',
      `aggregator: ${rule.name} compares whole masked gradients and needs msfl.mask global-scale (got ${mask})`,
    )
}

/**
 * The contribution table's selection: selected[j·t + i] = 1 iff owner i counts for
 * component j. The MS-FL rule selects per component; a vector rule selects owners,
 * who then count for every component.
 */
export function selectContributions(
  rule: RobustRule,
  values: readonly Float64Array[],
  f: number,
): Uint8Array {
  const result = rule.aggregate({ updates: values, f })
  if (result.componentSelection) return result.componentSelection.selected
  if (!result.selected)
    throw new MsflError('CONFIG_INVALID', `aggregator: ${rule.name} does not select owners`)
  const t = values.length
  const components = values[0]!.length
  const selected = new Uint8Array(t * components)
  for (const i of result.selected) for (let j = 0; j < components; j++) selected[j * t + i] = 1
  return selected
}

/**
 * The rule's selection with the owners the detection stage set aside removed from every
 * component (they are neither aggregated nor paid). The rule still sees every owner, so
 * its tolerance (n against f) is that of the unscreened round. A component left with
 * fewer than `minOwners` selected owners (by the screening or by the rule itself) is
 * emptied: it gets no update this round, because the sum of fewer owners would reveal
 * their gradients, and the service provider refuses such a table anyway.
 */
export function selectScreened(
  rule: RobustRule,
  values: readonly Float64Array[],
  f: number,
  setAside: (owner: number) => boolean,
  minOwners: number,
): Uint8Array {
  const selected = selectContributions(rule, values, f)
  const t = values.length
  const aside = values.map((_, i) => i).filter(setAside)
  if (aside.length === t)
    throw new MsflError('PROTOCOL', 'every owner was set aside by the detection stage')
  for (let j = 0; j < selected.length / t; j++) for (const i of aside) selected[j * t + i] = 0
  dropThinComponents(selected, t, minOwners)
  if (selected.every((s) => s === 0))
    throw new MsflError(
      'PROTOCOL',
      `no component keeps ${minOwners} selected owners (msfl.minOwners): nothing can be aggregated this round`,
    )
  return selected
}
