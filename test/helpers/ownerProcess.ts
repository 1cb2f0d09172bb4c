import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process'
import type { LocalFederation } from '../../src/cli/deploy/prepareLocalFederation.ts'
import { cliArgv } from './cli.ts'

/** Starts `msfl owner` for one owner of a prepared local federation, as its own OS process. */
export function spawnOwner(
  federation: LocalFederation,
  owner: LocalFederation['owners'][number],
  stdio: StdioOptions = 'ignore',
): ChildProcess {
  const [node, ...prefix] = cliArgv()
  return spawn(
    node!,
    [...prefix, 'owner', '--kit', owner.kit, '--job', federation.job, '--data', owner.data],
    { stdio },
  )
}
