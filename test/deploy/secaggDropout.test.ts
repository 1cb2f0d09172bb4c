import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { openStartupKit, type StartupKit } from '../../src/adapters/pki/index.ts'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import {
  type FederationServer,
  startFederationServer,
} from '../../src/adapters/transport-grpc/index.ts'
import { type DeployedJob, loadJob } from '../../src/cli/deploy/loadJob.ts'
import {
  type LocalFederation,
  prepareLocalFederation,
} from '../../src/cli/deploy/prepareLocalFederation.ts'
import { createProtection } from '../../src/cli/privacy/createProtection.ts'
import {
  openDeployedProtection,
  verifyKeyHolderPublic,
} from '../../src/cli/privacy/deployedProtection.ts'
import type { DatasetSplit } from '../../src/core/data/dataset.ts'
import { parseDatasetSpec } from '../../src/core/data/parseDatasetSpec.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import type { Transport } from '../../src/core/ports/transport.ts'
import { serveFederation } from '../../src/runtime/deploy/serveFederation.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'
import { spawnOwner } from '../helpers/ownerProcess.ts'

/**
 * Issue 16, acceptance 1 (SecAgg with a dropout): FedAvg with secure aggregation across
 * real owner processes; one owner process is killed (SIGKILL, by its pid) after key
 * sharing, just before the provider asks for its masked input. The round completes with
 * the survivors' sum: the model equals the in-process run in which that owner drops out at
 * the same step.
 */
describe('SecAgg across processes with an owner killed after key sharing', () => {
  const victim = 'do-2'
  let root: string
  let federation: LocalFederation
  let job: DeployedJob
  let data: DatasetSplit
  let server: FederationServer
  let providerKit: StartupKit
  const children = new Map<string, ChildProcess>()

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-secagg-dropout-'))
    federation = await prepareLocalFederation({
      dir: join(root, 'fed'),
      owners: 5,
      rounds: 1,
      dataset: 'adult',
      model: 'logistic',
      seed: 21,
      host: '127.0.0.1',
      privacy: 'secagg',
    })
    job = loadJob(federation.job)
    data = await loadDataset(parseDatasetSpec(job.config.dataset), job.config.seed)
    const kit = await openStartupKit(federation.providerKit)
    providerKit = kit
    const [host, port] = federation.endpoint.split(':')
    server = await startFederationServer({
      host: host!,
      port: Number(port),
      tls: kit.tls,
      run: job.runId,
    })
    for (const owner of federation.owners) children.set(owner.name, spawnOwner(federation, owner))
    await server.waitForPeers([...children.keys()], { deadlineMs: 120_000 })
  })

  after(async () => {
    for (const child of children.values())
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await server.close()
    await rm(root, { recursive: true, force: true })
  })

  it('the round completes with the survivors’ sum; the model equals the in-process run with the same dropout', {
    timeout: 300_000,
  }, async () => {
    let killed = false
    const transport: Transport = {
      async request(to, message, options) {
        if (
          !killed &&
          to === victim &&
          message.type === 'secagg-masked-input-request' &&
          message.session === `${job.runId}/round-1`
        ) {
          killed = true
          const child = children.get(victim)!
          const exited = new Promise((resolve) => child.once('exit', resolve))
          child.kill('SIGKILL')
          await exited
        }
        return server.transport.request(to, message, options)
      },
      stats: () => server.transport.stats(),
    }
    const events: RunEvent[] = []
    const served = await serveFederation({
      runId: job.runId,
      plan: job.plan,
      owners: [...children.keys()],
      transport,
      test: data.test,
      scaling: data.scaling,
      crypto: createNodeSecaggCrypto(),
      aggregationRng: createCsprng(),
      protection: {
        open: openDeployedProtection,
        checkKeyHolder: (publicKey) => verifyKeyHolderPublic(providerKit, job.runId, publicKey),
      },
      emit: (e) => events.push(e),
      now: () => 0,
    })
    assert.ok(killed, 'the victim was killed after key sharing')
    const record = served.history[0] as { dropped: readonly string[]; accepted: number }
    assert.deepEqual(record.dropped, [victim])
    assert.equal(record.accepted, 4)

    // The same job in one process, the victim vanishing at the same step of round 1.
    const simulated = await runSimulation({
      runId: job.runId,
      plan: job.plan,
      data,
      createTransport: (handlers) => createMemoryTransport({ handlers }),
      secaggCrypto: createNodeSecaggCrypto(),
      createProtection: (hiding, context) =>
        createProtection(hiding, {
          ...context,
          dropsOut: (clientId, round) => clientId === victim && round === 1,
        }),
      emit: () => {},
      now: () => 0,
    })
    assert.deepEqual(served.params, simulated.params)
    // The survivors exit cleanly once told the run is over.
    for (const [name, child] of children)
      if (name !== victim)
        assert.equal(
          await new Promise((resolve) =>
            child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve),
          ),
          0,
          `${name} exits 0`,
        )
  })
})
