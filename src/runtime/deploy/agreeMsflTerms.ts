import type { FeatureScaling } from '../../core/data/featureScaling.ts'
import type { LedgerAddress, LedgerTerms } from '../../core/deploy/msflDeploymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { MsflRunTerms } from '../orchestrator/msflRunTerms.ts'
import { agreeFeatureScaling } from '../scaling/agreeFeatureScaling.ts'
import { collectLedgerClaims } from './collectLedgerClaims.ts'
import type { LedgerParties } from './msflLedgerParty.ts'
import { describeOwners } from './serveFederation.ts'
import type { ServeMsflParameters } from './serveMsfl.ts'

/** What a deployed MS-FL run settles on before round 1. */
export interface AgreedMsflTerms {
  readonly rows: readonly number[]
  readonly scaling: FeatureScaling | undefined
  readonly terms: LedgerTerms
  readonly parties: LedgerParties
  /** Every party's signed address, as collected now (the requestor checks them again). */
  readonly claims: ReadonlyMap<string, LedgerAddress>
}

/**
 * A new run: the owners' row counts, the scaling agreement, every party's signed address and
 * the contract deployed from the provider's account. A run its journal already holds terms
 * for (a restarted provider): those terms — the same contract, price, scaling — and the
 * parties' addresses collected again, each checked against the stored one (an account that
 * changed cannot continue the run on its contract; the provider's own is derived from its kit,
 * so it is the same).
 */
export async function agreeMsflTerms(p: ServeMsflParameters): Promise<AgreedMsflTerms> {
  const stored = p.journal?.terms
  if (!stored) {
    const { rows, scaling } = await agreeRowsAndScaling(p)
    const collected = await claimsOf(p)
    const terms = await deployedContract(p)
    const parties: LedgerParties = {
      requestor: collected.get(p.requestor)!.address,
      provider: p.ledger.address,
      owners: Object.fromEntries(p.owners.map((o) => [o, collected.get(o)!.address])),
    }
    return { rows, scaling, terms, parties, claims: collected }
  }
  const collected = await claimsOf(p)
  const parties = stored.parties
  const changed = [
    ...(sameAddress(p.ledger.address, parties.provider) ? [] : ['the provider']),
    ...(sameAddress(collected.get(p.requestor)!.address, parties.requestor) ? [] : [p.requestor]),
    ...p.owners.filter((o) => !sameAddress(collected.get(o)!.address, parties.owners[o] ?? '')),
  ]
  if (changed.length > 0)
    throw new MsflError(
      'PROTOCOL',
      `run ${p.runId}: the ledger address of ${changed.join(', ')} is not the one the run started with; the run cannot continue on its contract`,
    )
  return {
    rows: stored.rows,
    scaling: stored.scaling,
    terms: {
      chainId: stored.chainId,
      contract: stored.contract,
      fromBlock: BigInt(stored.fromBlock),
      pricePerComponent: BigInt(stored.pricePerComponent),
    },
    parties,
    claims: collected,
  }
}

/**
 * The owners' row counts and scaling: agreed now and recorded before anything else happens, or,
 * when a provider restarted before the terms were stored, the ones recorded then (the owners
 * describe their rows again and must give the same counts; the scaling is not agreed twice).
 */
async function agreeRowsAndScaling(
  p: ServeMsflParameters,
): Promise<{ rows: number[]; scaling: FeatureScaling | undefined }> {
  const rows = await describeOwners(p)
  const before = p.journal?.agreement
  if (before) {
    if (before.rows.join() !== rows.join())
      throw new MsflError(
        'PROTOCOL',
        `run ${p.runId}: the owners describe ${rows.join(', ')} rows, before the restart ${before.rows.join(', ')}; the run cannot continue`,
      )
    return { rows, scaling: before.scaling }
  }
  const scaling = await agreeScaling(p, rows)
  await p.journal?.recordAgreement({
    rows,
    ...(scaling ? { scaling: { mean: [...scaling.mean], std: [...scaling.std] } } : {}),
  })
  return { rows, scaling }
}

/**
 * The run's contract: deployed now and recorded before any party is told of it, or, when a
 * provider restarted before the terms were stored, the one it deployed then (checked on the
 * chain), so the terms it sends again are those the parties may have accepted already.
 */
async function deployedContract(p: ServeMsflParameters): Promise<LedgerTerms> {
  const price = BigInt(p.plan.msfl.pricePerComponent)
  const before = p.journal?.contract
  if (!before) {
    const terms = await p.ledger.publish(price)
    await p.journal?.recordContract({
      chainId: terms.chainId,
      contract: terms.contract,
      fromBlock: terms.fromBlock.toString(),
      pricePerComponent: terms.pricePerComponent.toString(),
    })
    return terms
  }
  const terms: LedgerTerms = {
    chainId: before.chainId,
    contract: before.contract,
    fromBlock: BigInt(before.fromBlock),
    pricePerComponent: BigInt(before.pricePerComponent),
  }
  if (terms.pricePerComponent !== price)
    throw new MsflError(
      'STORE',
      `run ${p.runId}: the stored contract's price ${terms.pricePerComponent} is not the job's ${price}`,
    )
  await p.ledger.check(terms)
  return terms
}

/** The terms as the run store keeps them (see msflRunTermsSchema). */
export function storedMsflTerms(job: string, agreed: AgreedMsflTerms): MsflRunTerms {
  const { terms, parties, rows, scaling } = agreed
  return {
    job,
    chainId: terms.chainId,
    contract: terms.contract,
    fromBlock: terms.fromBlock.toString(),
    pricePerComponent: terms.pricePerComponent.toString(),
    parties: { ...parties, owners: { ...parties.owners } },
    rows: [...rows],
    ...(scaling ? { scaling: { mean: [...scaling.mean], std: [...scaling.std] } } : {}),
  }
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}

function claimsOf(p: ServeMsflParameters): Promise<Map<string, LedgerAddress>> {
  return collectLedgerClaims({ ...p, deadlineMs: p.plan.basics.deadlineMs })
}

/** The owners agree on the feature scaling, as in serveFederation (undefined when none is needed). */
async function agreeScaling(
  p: ServeMsflParameters,
  rows: readonly number[],
): Promise<FeatureScaling | undefined> {
  if (!p.scaling || p.scaling.features.length === 0) return undefined
  const agreement = await agreeFeatureScaling({
    session: `${p.runId}/feature-statistics`,
    transport: p.transport,
    owners: p.owners,
    plan: p.scaling,
    maxRows: Math.max(...rows),
    threshold: Math.floor(p.owners.length / 2) + 1,
    crypto: p.crypto,
    stageTimeoutMs: p.plan.basics.deadlineMs,
  })
  return agreement.scaling
}
