import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MsflError } from '../../core/errors/msflError.ts'

const LOCK_FILE = '.lock'

// Calls in this process on one directory run one after another; the lock file keeps out
// other processes. Both matter: issuing reads the registry, checks the name and writes it
// back, and two interleaved issues would lose an entry or pass the duplicate-name check twice.
const queues = new Map<string, Promise<unknown>>()

/**
 * Runs `change` with the PKI directory to itself: after every earlier change from this
 * process, and refused (not waited for) while another live process holds `<dir>/.lock`.
 */
export function withPkiLock<T>(dir: string, change: () => Promise<T>): Promise<T> {
  const previous = queues.get(dir) ?? Promise.resolve()
  const next = previous.catch(() => {}).then(() => holdingLockFile(dir, change))
  const settled = next.catch(() => {})
  queues.set(dir, settled)
  void settled.then(() => {
    if (queues.get(dir) === settled) queues.delete(dir)
  })
  return next
}

async function holdingLockFile<T>(dir: string, change: () => Promise<T>): Promise<T> {
  if (!existsSync(dir))
    throw new MsflError('PKI', `${dir}: no such PKI directory (msfl pki init creates one)`)
  const path = join(dir, LOCK_FILE)
  if (!tryCreate(path)) {
    if (holderAlive(path))
      throw new MsflError(
        'PKI',
        `${path}: another msfl pki process (pid ${readFileSync(path, 'utf8').trim()}) is changing this PKI`,
      )
    // The holder died without removing its lock: take it over.
    rmSync(path, { force: true })
    if (!tryCreate(path)) throw new MsflError('PKI', `${path}: another process took the lock`)
  }
  try {
    return await change()
  } finally {
    rmSync(path, { force: true })
  }
}

function tryCreate(path: string): boolean {
  try {
    writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 })
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw new MsflError(
      'PKI',
      `${path}: cannot create the lock (${(error as NodeJS.ErrnoException).code ?? error})`,
    )
  }
}

function holderAlive(path: string): boolean {
  let pid: number
  try {
    pid = Number(readFileSync(path, 'utf8').trim())
  } catch {
    return false
  }
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
