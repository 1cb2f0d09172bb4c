import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createRpcChain, type Hex, settlementTotals } from '../../src/adapters/ledger-evm/index.ts'
import { launchLocalFederation } from '../../src/cli/deploy/launchLocalFederation.ts'
import { isMsflJob, loadAnyJob } from '../../src/cli/deploy/loadJob.ts'
import { openLocalChain } from '../../src/cli/deploy/localChain.ts'
import {
  type LocalFederation,
  prepareLocalFederation,
  REQUESTOR_NAME,
} from '../../src/cli/deploy/prepareLocalFederation.ts'
import { findAnvil, type RunningAnvil, startAnvil } from '../../src/cli/deploy/startAnvil.ts'
import { createSeededRng, deriveSeed } from '../../src/core/rng/seededRng.ts'
import type { RunBasics } from '../../src/runtime/config/planRun.ts'
import { planAttackers } from '../../src/runtime/planAttackers.ts'
import { flipLabels } from '../helpers/flipLabels.ts'
import { CLI, killHard, msflParties } from './federationProcesses.ts'

const anvil = findAnvil()

/** The owner `msfl simulate` makes the attacker of this job (label-flip, malicious: 0.2): its CSV is flipped. */
function flipSimulatedAttacker(federation: LocalFederation, basics: RunBasics): string {
  const owners = federation.owners.map((o) => o.name)
  // Who msfl simulate would make the attacker with malicious: 0.2 (planPopulation's draw).
  const drawn = planAttackers(
    { ...basics, malicious: 0.2, attack: 'label-flip', clients: owners },
    createSeededRng(deriveSeed(7, 'attackers')),
  )
  const [attacker] = [...drawn.keys()]
  assert.ok(attacker && drawn.size === 1)
  flipLabels(federation.owners.find((o) => o.name === attacker)!.data)
  return attacker
}

/** Runs every process on the anvil at `url`; every process must exit 0. */
async function launchOnAnvil(federation: LocalFederation, url: string) {
  const lines: string[] = []
  const outcome = await launchLocalFederation(federation, {
    cli: CLI,
    write: (line) => lines.push(line),
    ledger: `rpc:${url}`,
  }).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${lines.slice(-60).join('')}`)
  })
  const log = lines.join('')
  assert.deepEqual(
    Object.values(outcome.exitCodes).filter((code) => code !== 0),
    [],
    `exit codes ${JSON.stringify(outcome.exitCodes)}\n${log.slice(-4000)}`,
  )
  return { outcome, lines, log }
}

/**
 * Reads the contract's totals on the chain; `paid(name)` is what the chain paid the party
 * whose ledger account its process logged.
 */
async function chainPayouts(url: string, contract: string, log: string) {
  const chain = createRpcChain({ url })
  try {
    const totals = await settlementTotals(chain, contract as Hex, 0n)
    const addressOf = (name: string) =>
      new RegExp(`\\[${name}\\] .*ledger account.*?(0x[0-9a-fA-F]{40})`).exec(log)![1]!
    const paid = (name: string) => totals.payouts[addressOf(name).toLowerCase()] ?? 0n
    return { balance: totals.balance, paid }
  } finally {
    await chain.close()
  }
}

it('a job with defence: adrm loads for the MS-FL commands; adrm:labels=oracle is refused, naming the field', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'msfl-adrm-job-'))
  try {
    const job = (name: string, defence: string) => {
      const file = join(dir, name)
      const settings = { dataset: 'adult', protocol: 'msfl', clients: 7, rounds: 2 }
      const msfl = { batchSize: 64, mask: 'global-scale' }
      writeFileSync(file, JSON.stringify({ ...settings, aggregator: 'multi-krum', defence, msfl }))
      return file
    }
    const loaded = loadAnyJob(job('adrm.json', 'adrm'))
    assert.ok(isMsflJob(loaded))
    assert.equal(loaded.plan.defence, 'adrm')
    assert.throws(
      () => loadAnyJob(job('oracle.json', 'adrm:labels=oracle')),
      /defence: adrm:labels=oracle .* a deployment does not know: use labels=none/,
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

/**
 * The multi-process cases of ADRM: in an MS-FL deployment `msfl requestor` screens
 * what it decrypts, with the job's `defence`, and logs its decisions; the owner whose rows
 * are label-flipped (its own file: nothing in the job marks it) is flagged, blocked and
 * paid nothing on chain. The owner is the one `msfl simulate` makes the attacker of this
 * job with `attack: label-flip, malicious: 0.2`, where it is flagged in round 1 and blocked.
 */
describe('ADRM across processes: the MS-FL requestor screens, the FedAvg provider screens', {
  skip: 'missing' in anvil ? anvil.missing : false,
}, () => {
  let root: string
  let node: RunningAnvil | undefined
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-adrm-processes-'))
    if ('path' in anvil) node = await startAnvil(anvil.path)
  })
  after(async () => {
    await node?.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('5 owners (one label-flipping), 1 round on Adult, the provider killed -9 after the selection: the flipper is flagged and blocked by the requestor, counted once, unpaid on chain; the others are paid', {
    timeout: 1_800_000,
  }, async (t) => {
    const federation = await prepareLocalFederation({
      dir: join(root, 'fed'),
      owners: 5,
      // Screening, quarantine and the block all happen in the round the flipper is flagged.
      rounds: 1,
      dataset: 'adult',
      model: 'logistic',
      seed: 7,
      host: '127.0.0.1',
      protocol: 'msfl',
      defence: 'adrm',
    })
    const job = loadAnyJob(federation.job)
    assert.ok(isMsflJob(job))
    assert.equal(job.plan.defence, 'adrm')
    const owners = federation.owners.map((o) => o.name)
    const attacker = flipSimulatedAttacker(federation, job.plan.basics)
    // The provider is killed -9 once the requestor screened round 1 and put its selection on
    // the chain; restarted, it declines that ledger round and runs the round again, which the
    // requestor screens again as if for the first time (no double count).
    const chain = await openLocalChain(`rpc:${node!.url}`, () => {})
    const parties = msflParties(federation, join(root, 'fed', 'run.sqlite'), chain)
    let summary: { ledger: { contract: string } }
    try {
      const held = parties.provider({ MSFL_HOLD_AT: 'AGGREGATING:1:selected' })
      await held.waitFor('"msg":"listening"', 60_000)
      const participants = parties.participants()
      await held.waitFor('"msg":"held"', 600_000)
      assert.equal(await killHard(held), null, 'the provider died of SIGKILL')
      const provider = parties.provider({})
      await provider.waitFor('"msg":"resuming"', 120_000)
      const exits = await Promise.all([provider, ...participants].map((c) => c.exited))
      assert.deepEqual(
        exits,
        exits.map(() => 0),
        parties.logs().slice(-6000),
      )
      summary = JSON.parse(provider.stdout.at(-1) ?? '{}')
    } finally {
      await parties.killAll()
      await chain.stop()
    }
    const lines = parties.processes.flatMap((c) => c.lines.map((l) => `${l}\n`))
    const log = lines.join('')
    const requestorLines = lines.filter((l) => l.startsWith(`[${REQUESTOR_NAME}] `))
    const decided = (what: string) =>
      requestorLines
        .filter((l) => l.includes(`adrm ${what}`))
        .map((l) => /owner[=":]+([^"\s,]+)/.exec(l)?.[1])
    t.diagnostic(requestorLines.filter((l) => l.includes(': adrm ')).join(''))
    assert.deepEqual([...new Set(decided('flagged'))], [attacker])
    // Blocked in each of the two screens of round 1 (the first one forgotten when round 1 ran
    // again), and counted once: one round of five owners inspected, one flagged.
    assert.deepEqual(decided('blocked'), [attacker, attacker])
    const summaryLine = requestorLines.find((l) => l.includes(': adrm summary'))
    assert.ok(summaryLine, 'the requestor logs its ADRM summary')
    assert.match(summaryLine, /inspected[=":]+5\b/)
    assert.match(summaryLine, /flagged[=":]+1\b/)
    const reputations = JSON.parse(/reputations=(\{[^}]*\})/.exec(summaryLine)![1]!) as Record<
      string,
      number
    >
    assert.ok(reputations[attacker]! < 100, `${attacker} lost reputation`)
    for (const o of owners.filter((id) => id !== attacker)) assert.equal(reputations[o], 100, o)
    // ADRM's decisions are the requestor's: no other process logs them.
    assert.ok(!lines.some((l) => !l.startsWith(`[${REQUESTOR_NAME}] `) && l.includes(': adrm ')))

    // The money, read from the chain itself (the declined first selection refunded in full).
    const { balance, paid } = await chainPayouts(node!.url, summary.ledger.contract, log)
    t.diagnostic(owners.map((o) => `${o} ${paid(o)} wei`).join(', '))
    assert.equal(paid(attacker), 0n, `${attacker} unpaid`)
    for (const o of owners.filter((id) => id !== attacker)) assert.ok(paid(o) > 0n, `${o} paid`)
    assert.equal(balance, 0n)
  })

  it('FedAvg, 5 owners (one label-flipping), 1 round on Adult: the flipper is flagged and blocked by the provider only, unpaid on chain; the requestor pays the others', {
    timeout: 1_800_000,
  }, async (t) => {
    const federation = await prepareLocalFederation({
      dir: join(root, 'fedavg'),
      owners: 5,
      rounds: 1,
      dataset: 'adult',
      model: 'logistic',
      seed: 7,
      host: '127.0.0.1',
      defence: 'adrm',
    })
    const job = loadAnyJob(federation.job)
    assert.ok(!isMsflJob(job) && job.plan.defences?.adrm)
    assert.ok(federation.chain)
    const owners = federation.owners.map((o) => o.name)
    const attacker = flipSimulatedAttacker(federation, job.plan.basics)
    const { outcome, lines, log } = await launchOnAnvil(federation, node!.url)
    // ADRM's decisions, as the provider reports them; no other process screens anything.
    const summary = outcome.summary as {
      adrm: {
        reputations: Record<string, number>
        inspections: { round: number; flagged: string[] }[]
        blocks: { round: number; clientId: string }[]
      }
      ledger: { contract: string; escrowBalance: string }
    }
    t.diagnostic(JSON.stringify(summary.adrm))
    assert.deepEqual(
      summary.adrm.inspections.map((r) => r.flagged),
      [[attacker]],
    )
    assert.deepEqual(
      summary.adrm.blocks.map((b) => b.clientId),
      [attacker],
    )
    assert.ok(summary.adrm.reputations[attacker]! < 100)
    for (const o of owners.filter((id) => id !== attacker))
      assert.equal(summary.adrm.reputations[o], 100, o)
    assert.ok(!lines.some((l) => !l.startsWith('[provider] ') && /flagged|quarantin/.test(l)))
    assert.ok(lines.some((l) => l.startsWith(`[${REQUESTOR_NAME}] `) && l.includes('round paid')))

    // The money, read from the chain itself, and as each owner read its own payout.
    const { balance, paid } = await chainPayouts(node!.url, summary.ledger.contract, log)
    t.diagnostic(owners.map((o) => `${o} ${paid(o)} wei`).join(', '))
    assert.equal(paid(attacker), 0n, `${attacker} unpaid`)
    for (const o of owners.filter((id) => id !== attacker)) assert.ok(paid(o) > 0n, `${o} paid`)
    assert.equal(balance, 0n)
    assert.equal(summary.ledger.escrowBalance, '0')
    for (const o of owners) {
      const line = lines.find((l) => l.startsWith(`[${o}] `) && l.includes('paid on chain'))
      assert.ok(line, `${o} read its payout from the chain`)
      assert.ok(line.includes(` wei=${paid(o)} `), line)
    }
  })
})
