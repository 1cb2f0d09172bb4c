import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { cliArgv } from '../helpers/cli.ts'

/** The pids whose parent is `pid` (procps pgrep; empty when there are none). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

it('msfl deploy local stopped with SIGTERM mid-run stops every process it started', {
  timeout: 300_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'msfl-deploy-stop-'))
  const [node, ...prefix] = cliArgv()
  const deploy = spawn(
    node!,
    [...prefix, 'deploy', 'local', '--owners', '2', '--rounds', '200', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  try {
    let out = ''
    let err = ''
    deploy.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk
    })
    const exited = new Promise<number | null>((resolve) => deploy.once('exit', resolve))
    // Wait (bounded by the test's timeout) until both owners are connected: the run is on.
    await new Promise<void>((resolve, reject) => {
      deploy.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk
        if (/\[do-0\] do-0: connected/.test(out) && /\[do-1\] do-1: connected/.test(out)) resolve()
      })
      deploy.once('exit', (code) =>
        reject(new Error(`deploy exited early (${code}):\n${out}\n${err}`)),
      )
    })
    const started = childrenOf(deploy.pid!)
    assert.ok(started.length >= 4, `provider, requestor and 2 owners running: ${started}`)
    deploy.kill('SIGTERM')
    const code = await exited
    assert.notEqual(code, 0)
    assert.match(err, /deploy local: stopped \(SIGTERM\)/)
    for (let i = 0; i < 200 && started.some(alive); i++)
      await new Promise((resolve) => setTimeout(resolve, 50))
    assert.deepEqual(started.filter(alive), [], 'every process deploy local started has exited')
  } finally {
    if (deploy.exitCode === null) deploy.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  }
})
