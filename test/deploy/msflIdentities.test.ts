import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  createChainSettlement,
  createInProcessChain,
  deploySettlementContract,
  generateLedgerAccount,
} from '../../src/adapters/ledger-evm/index.ts'
import { openStartupKit, type StartupKit } from '../../src/adapters/pki/index.ts'
import { createLedgerAddressClaims } from '../../src/cli/deploy/ledgerAddressClaims.ts'
import { isMsflJob, loadAnyJob, loadJob } from '../../src/cli/deploy/loadJob.ts'
import { signMsflPublicKey, verifyMsflPublicKey } from '../../src/cli/deploy/msflPublicKey.ts'
import { sharedLedger } from '../../src/cli/deploy/openLedgerParty.ts'
import { prepareLocalFederation } from '../../src/cli/deploy/prepareLocalFederation.ts'

/**
 * In an MS-FL deployment every statement one party makes to another travels through the
 * provider: the parties' ledger addresses (whom the requestor pays) and the requestor's
 * public key (what the owners encrypt under). Each is signed with its party's kit key, so
 * a provider that swaps one is caught by the party it is forwarded to.
 */
describe('MS-FL across processes: signed addresses, the signed public key, one key per process', () => {
  let root: string
  let runId: string
  let jobFile: string
  let owner: StartupKit
  let otherOwner: StartupKit
  let requestor: StartupKit
  let provider: StartupKit
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-identities-'))
    const federation = await prepareLocalFederation({
      dir: join(root, 'fed'),
      owners: 2,
      rounds: 1,
      dataset: 'adult',
      model: 'logistic',
      seed: 4,
      host: '127.0.0.1',
      protocol: 'msfl',
    })
    jobFile = federation.job
    runId = loadAnyJob(jobFile).runId
    owner = await openStartupKit(federation.owners[0]!.kit)
    otherOwner = await openStartupKit(federation.owners[1]!.kit)
    requestor = await openStartupKit(federation.requestorKit)
    provider = await openStartupKit(federation.providerKit)
  })
  after(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('an MS-FL job loads for the MS-FL commands and is refused, naming them, by the others', () => {
    assert.ok(isMsflJob(loadAnyJob(jobFile)))
    assert.throws(() => loadJob(jobFile), /protocol: msfl runs with msfl server/)
    // The job's default ledger is an EVM inside one process: every party must be told a chain.
    assert.throws(
      () => sharedLedger('evm'),
      /^MsflError: ledger: an MS-FL deployment settles on a chain every party reaches/,
    )
    assert.deepEqual(sharedLedger('rpc:http://127.0.0.1:8545'), {
      kind: 'rpc',
      url: 'http://127.0.0.1:8545',
    })
  })

  it('an owner’s address claim is accepted by the requestor for this run', () => {
    const address = generateLedgerAccount('do-0').address
    const claim = createLedgerAddressClaims(owner, runId, address).claim()
    createLedgerAddressClaims(requestor, runId, generateLedgerAccount('r').address).checkClaim(
      'data-owner',
      claim,
    )
  })

  it('a provider that swaps an owner’s address, or claims it with its own certificate, or replays another run’s claim, is refused', () => {
    const check = createLedgerAddressClaims(requestor, runId, generateLedgerAccount('r').address)
    const claim = createLedgerAddressClaims(
      owner,
      runId,
      generateLedgerAccount('do-0').address,
    ).claim()
    const theirs = generateLedgerAccount('provider').address
    assert.throws(
      () => check.checkClaim('data-owner', { ...claim, address: theirs }),
      /ledger address of do-0: the signature does not match/,
    )
    const forged = createLedgerAddressClaims(provider, runId, theirs).claim()
    assert.throws(
      () => check.checkClaim('data-owner', { ...forged, clientId: 'do-0' }),
      /certificate of "do-0": role is service-provider, not data-owner/,
    )
    // Another owner's genuine certificate cannot vouch for do-0's name either.
    const other = createLedgerAddressClaims(otherOwner, runId, theirs).claim()
    assert.throws(
      () => check.checkClaim('data-owner', { ...other, clientId: 'do-0' }),
      /certificate of "do-0": names "do-1"/,
    )
    const replayed = createLedgerAddressClaims(owner, 'job-0000000000000000', theirs).claim()
    assert.throws(() => check.checkClaim('data-owner', replayed), /for run job-0{16}, not/)
  })

  it('the requestor’s public key is accepted by an owner; a swapped key, or one the provider signed, is refused', () => {
    const material = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])
    const signed = signMsflPublicKey(requestor, runId, material)
    verifyMsflPublicKey(owner, runId, signed)
    assert.throws(
      () => verifyMsflPublicKey(owner, runId, { ...signed, material: new Uint8Array([9, 9, 9]) }),
      /requestor's public key: the signature does not match/,
    )
    const providers = signMsflPublicKey(provider, runId, material)
    assert.throws(
      () => verifyMsflPublicKey(owner, runId, { ...providers, clientId: signed.clientId }),
      /role is service-provider, not requestor/,
    )
    assert.throws(
      () => verifyMsflPublicKey(owner, 'job-1111111111111111', signed),
      /for run .* not job-1111111111111111/,
    )
  })

  it('a process settles only with its own key: a function another party signs is refused before anything is sent', async () => {
    const providerAccount = generateLedgerAccount('service-provider')
    const requestorAccount = generateLedgerAccount('model-requestor')
    const ownerAccount = generateLedgerAccount('do-0')
    const chain = await createInProcessChain({
      genesis: [providerAccount, requestorAccount].map((a) => ({
        address: a.address,
        balance: 10n ** 20n,
      })),
    })
    const contract = await deploySettlementContract(chain, providerAccount)
    // The provider's process: its own account, the others' addresses only.
    const atProvider = createChainSettlement({
      contract,
      pricePerComponent: 1n,
      requestor: { label: 'model-requestor', address: requestorAccount.address },
      provider: providerAccount,
      owners: { 'do-0': { label: 'do-0', address: ownerAccount.address } },
    })
    const table = { round: 1, owners: ['do-0'], components: 1, selected: new Uint8Array([1]) }
    await assert.rejects(
      atProvider.openRound(table, 1n),
      /open is signed by model-requestor, whose key this process does not hold/,
    )
    await assert.rejects(
      atProvider.registerModel(1, new Uint8Array(32).fill(1)),
      /registerModel is signed by model-requestor/,
    )
    // The requestor's process opens the round with its own key; the provider delivers with its.
    const atRequestor = createChainSettlement({
      contract,
      pricePerComponent: 1n,
      requestor: requestorAccount,
      provider: { label: 'service-provider', address: providerAccount.address },
      owners: { 'do-0': { label: 'do-0', address: ownerAccount.address } },
    })
    const id = await atRequestor.openRound(table, 1n)
    await assert.rejects(
      atRequestor.settle(id, new Uint8Array(32)),
      /deliver is signed by service-provider/,
    )
    const receipt = await atProvider.settle(id, new Uint8Array(32).fill(2))
    assert.deepEqual(receipt.payouts, { 'do-0': 1n })
    assert.equal(await chain.getBalance(ownerAccount.address), 1n)
  })
})
