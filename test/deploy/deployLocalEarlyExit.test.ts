import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { launchLocalFederation } from '../../src/cli/deploy/launchLocalFederation.ts'
import { prepareLocalFederation } from '../../src/cli/deploy/prepareLocalFederation.ts'
import { cliArgv } from '../helpers/cli.ts'

it('msfl deploy local fails at once, naming it, when the requestor exits with an error', {
  // Without the check the provider would wait for the requestor until its --wait (300 s).
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'msfl-deploy-early-'))
  try {
    const federation = await prepareLocalFederation({
      dir: join(dir, 'fed'),
      owners: 2,
      rounds: 2,
      dataset: 'adult',
      model: 'logistic',
      seed: 5,
      host: '127.0.0.1',
      protocol: 'plain',
    })
    // The requestor refuses to overwrite a model file: it exits as soon as it starts.
    mkdirSync(federation.runs, { recursive: true })
    writeFileSync(join(federation.runs, 'model.requested.bin'), 'a model of another run')
    const lines: string[] = []
    await assert.rejects(
      launchLocalFederation(federation, { cli: cliArgv(), write: (line) => lines.push(line) }),
      /deploy local: the requestor exited with code 2 before the run ended: .*--out .*model\.requested\.bin: already exists/,
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
