import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** A local anvil node this process started: its JSON-RPC URL and how to stop it. */
export interface RunningAnvil {
  readonly url: string
  /** Stops this anvil (SIGTERM to its own pid) and resolves once it exited. */
  stop(): Promise<void>
}

/** The anvil binary from @foundry-rs/anvil-linux-amd64, or why it cannot be used here. */
export function findAnvil(): { path: string } | { missing: string } {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return {
      missing: `anvil ships for linux-x64 only, this is ${process.platform}-${process.arch}`,
    }
  try {
    const pkg = createRequire(import.meta.url).resolve('@foundry-rs/anvil-linux-amd64/package.json')
    const path = join(dirname(pkg), 'bin', 'anvil')
    accessSync(path, constants.X_OK)
    // Installed is not enough: the binary must also run here (libc, noexec mounts).
    const probe = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 })
    if (probe.error || probe.status !== 0)
      return { missing: `${path} does not run: ${probe.error?.message ?? probe.stderr.trim()}` }
    return { path }
  } catch (error) {
    return {
      missing: `@foundry-rs/anvil-linux-amd64 is not installed (${(error as Error).message})`,
    }
  }
}

/**
 * A development chain for `msfl deploy local --protocol msfl` and the tests: starts anvil on 127.0.0.1 with a port the OS picks (read back from its banner), at the
 * Shanghai hardfork the contract is compiled for, with no prefunded accounts.
 */
export function startAnvil(path: string): Promise<RunningAnvil> {
  const child: ChildProcess = spawn(
    path,
    ['--host', '127.0.0.1', '--port', '0', '--hardfork', 'shanghai', '--accounts', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`anvil did not start within 20 s:\n${output}`))
    }, 20_000)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`anvil exited with ${code} before listening:\n${output}`))
    })
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /Listening on (127\.0\.0\.1:\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        child.removeAllListeners('exit')
        child.stdout!.removeListener('data', onData)
        // Keep draining so anvil never blocks on a full pipe.
        child.stdout!.resume()
        resolve({ url: `http://${match[1]}`, stop })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
  })
}
