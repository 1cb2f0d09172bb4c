import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process'
import type { LocalFederation } from '../../src/cli/deploy/prepareLocalFederation.ts'

/** Starts `msfl owner` for one owner of a prepared local federation, as its own OS process. */
export function spawnOwner(
  federation: LocalFederation,
  owner: LocalFederation['owners'][number],
  stdio: StdioOptions = 'ignore',
): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'owner',
      '--kit',
      owner.kit,
      '--job',
      federation.job,
      '--data',
      owner.data,
    ],
    { stdio },
  )
}
