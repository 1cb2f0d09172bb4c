import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { openStartupKit } from '../../src/adapters/pki/index.ts'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import {
  type FederationServer,
  startFederationServer,
} from '../../src/adapters/transport-grpc/index.ts'
import { type DeployedJob, loadJob } from '../../src/cli/deploy/loadJob.ts'
import {
  type LocalFederation,
  prepareLocalFederation,
} from '../../src/cli/deploy/prepareLocalFederation.ts'
import { parseDatasetSpec } from '../../src/core/data/parseDatasetSpec.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import type { Transport } from '../../src/core/ports/transport.ts'
import { serveFederation } from '../../src/runtime/deploy/serveFederation.ts'
import { spawnOwner } from '../helpers/ownerProcess.ts'

/**
 * Issue 17, acceptance 3 (first half): an owner process that stops answering mid-round
 * (SIGSTOP: its connection stays open, nothing comes back) makes the round close at its
 * deadline with the others' updates and the owner named a straggler; killed (SIGKILL) it
 * is gone at once, and the run completes without it.
 */
describe('an owner process that stops answering, then dies, mid-run', () => {
  const victim = 'do-1'
  let root: string
  let federation: LocalFederation
  let job: DeployedJob
  let server: FederationServer
  const children = new Map<string, ChildProcess>()

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-straggler-'))
    // A short round deadline, so the frozen owner's round closes soon.
    federation = await prepareLocalFederation({
      dir: join(root, 'fed'),
      owners: 4,
      rounds: 3,
      dataset: 'adult',
      model: 'logistic',
      seed: 17,
      host: '127.0.0.1',
      deadline: 8,
    })
    job = loadJob(federation.job)
    const kit = await openStartupKit(federation.providerKit)
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

  it('round 2 closes at its deadline with 3 updates and the frozen owner a straggler; round 3 goes on without the dead one', {
    timeout: 300_000,
  }, async () => {
    const child = children.get(victim)!
    const transport: Transport = {
      async request(to, message, options) {
        if (to === victim && message.type === 'fit' && message.round === 2) child.kill('SIGSTOP')
        if (to === victim && message.type === 'fit' && message.round === 3) {
          const exited = new Promise((resolve) => child.once('exit', resolve))
          child.kill('SIGKILL')
          await exited
        }
        return server.transport.request(to, message, options)
      },
      stats: () => server.transport.stats(),
    }
    const data = await loadDataset(parseDatasetSpec(job.config.dataset), job.config.seed)
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
      emit: (e) => events.push(e),
      now: () => 0,
    })
    assert.deepEqual(
      served.history.map((r) => r.accepted),
      [4, 3, 3],
    )
    const straggled = events.filter((e) => e.type === 'participant-straggled')
    assert.deepEqual(
      straggled.map((e) => [e.round, e.clientId]),
      [[2, victim]],
    )
    const gone = events.filter((e) => e.type === 'update-rejected') as Extract<
      RunEvent,
      { type: 'update-rejected' }
    >[]
    assert.deepEqual(
      gone.map((e) => [e.round, e.clientId]),
      [[3, victim]],
    )
    assert.match(gone[0]!.reason, /not connected|closed|ended/)
    assert.ok(served.final.accuracy! > 0.8)
  })
})
