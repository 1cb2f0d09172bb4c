import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openStartupKit, type StartupKit } from '../../src/adapters/pki/index.ts'
import { loadJob } from '../../src/cli/deploy/loadJob.ts'
import { prepareLocalFederation } from '../../src/cli/deploy/prepareLocalFederation.ts'
import {
  type KeyHolderKeys,
  openKeyHolderKeys,
  verifyKeyHolderPublic,
} from '../../src/cli/privacy/deployedProtection.ts'
import { encodePaillierPublicKey } from '../../src/core/paillier/publicKeyFormat.ts'
import type { HidingPart } from '../../src/core/privacy/parsePrivacySpec.ts'

/**
 * The key holder's public key travels through the service provider, which could swap in a
 * key of its own and decrypt every owner's update: each owner checks the key holder's
 * signature against its own kit before encrypting anything (verifyKeyHolderPublic).
 */
describe('the key holder’s signed public key, as an owner checks it', () => {
  let root: string
  let runId: string
  let owner: StartupKit
  let provider: StartupKit
  let keyHolder: StartupKit
  let keys: KeyHolderKeys
  let hiding: HidingPart
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-key-holder-'))
    const federation = await prepareLocalFederation({
      dir: join(root, 'fed'),
      owners: 2,
      rounds: 1,
      dataset: 'adult',
      model: 'logistic',
      seed: 4,
      host: '127.0.0.1',
      privacy: 'paillier',
    })
    const job = loadJob(federation.job)
    runId = job.runId
    assert.equal(job.plan.protocol, 'protected')
    hiding = job.plan.protocol === 'protected' ? job.plan.privacy.hiding! : hiding
    owner = await openStartupKit(federation.owners[0]!.kit)
    provider = await openStartupKit(federation.providerKit)
    keyHolder = await openStartupKit(federation.keyHolderKit!)
    keys = await openKeyHolderKeys(
      hiding,
      { runId, clients: ['do-0', 'do-1'], rounds: 1, minContributors: 2 },
      keyHolder,
    )
  })
  after(async () => {
    await keys.participant.dispose()
    await rm(root, { recursive: true, force: true })
  })

  it('accepts the key holder’s own key for this run', () => {
    assert.equal(keys.publicKey.scheme, 'paillier')
    verifyKeyHolderPublic(owner, runId, keys.publicKey)
  })

  it('refuses a key the provider swapped in (its own modulus under the key holder’s signature)', () => {
    const swapped = { ...keys.publicKey, material: encodePaillierPublicKey(2n ** 1023n + 1155n) }
    assert.throws(
      () => verifyKeyHolderPublic(owner, runId, swapped),
      /the signature does not match \(the material was not signed by the key holder\)/,
    )
  })

  it('refuses a key signed by the provider itself, or for another run', async () => {
    const own = await openKeyHolderKeys(
      hiding,
      { runId, clients: ['do-0', 'do-1'], rounds: 1, minContributors: 2 },
      provider,
    )
    assert.throws(
      () => verifyKeyHolderPublic(owner, runId, own.publicKey),
      /certificate of "key-holder": role is service-provider, not key-holder/,
    )
    await own.participant.dispose()
    assert.throws(
      () => verifyKeyHolderPublic(owner, 'job-other', keys.publicKey),
      new RegExp(`for run ${runId}, not job-other`),
    )
  })
})
