import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A PostgreSQL cluster for one test file: its URL and how to stop and delete it. */
export interface ThrowawayPostgres {
  readonly url: string
  stop(): void
}

const BIN = process.env.MSFL_TEST_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin'

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/**
 * Uses MSFL_TEST_POSTGRES_URL when it is set; otherwise starts a cluster from the system's
 * binaries in a temporary folder on a free port. initdb refuses to run as root, so as root the
 * folder is handed to `nobody` and the binaries run through runuser.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const given = process.env.MSFL_TEST_POSTGRES_URL
  if (given) return { url: given, stop: () => {} }
  if (!existsSync(join(BIN, 'initdb')))
    throw new Error(
      `no PostgreSQL binaries in ${BIN}: install postgresql or set MSFL_TEST_POSTGRES_URL`,
    )
  const dir = mkdtempSync(join(tmpdir(), 'msfl-pg-'))
  const asRoot = process.getuid?.() === 0
  if (asRoot) chownSync(dir, 65534, 65534)
  const run = (tool: string, args: readonly string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'nobody', '--', join(BIN, tool), ...args], { stdio: 'pipe' })
      : execFileSync(join(BIN, tool), args, { stdio: 'pipe' })
  const data = join(dir, 'data')
  const port = await freePort()
  run('initdb', ['-D', data, '-U', 'msfl', '--auth=trust', '-E', 'UTF8', '--no-locale'])
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    'start',
  ])
  return {
    url: `postgres://msfl@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
