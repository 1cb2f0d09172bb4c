import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cliArgv } from './cli.ts'

export interface CliResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the real `msfl` CLI in a child process, as a user would. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): CliResult {
  const result = spawnSync(process.execPath, [...cliArgv().slice(1), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 300_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/**
 * The same without blocking this process: needed while this process also serves a child
 * (an anvil node whose output pipes must keep draining).
 */
export function runCliAsync(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliArgv().slice(1), ...args], {
      env: { ...process.env, ...env },
      timeout: 300_000,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

export function lastJsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n')
  return JSON.parse(lines.at(-1)!) as Record<string, unknown>
}

export function tempDir(prefix = 'msfl-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}
