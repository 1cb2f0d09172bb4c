import assert from 'node:assert/strict'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { openStartupKit } from '../../src/adapters/pki/index.ts'
import { type CliResult, runCli, tempDir } from '../helpers/runCli.ts'

/** Runs `msfl pki …`; no output of any pki command may contain a private key. */
function pki(args: readonly string[]): CliResult {
  const result = runCli(['pki', ...args])
  assert.doesNotMatch(result.stdout + result.stderr, /PRIVATE KEY/)
  return result
}

function ok(args: readonly string[]): string {
  const result = pki(args)
  assert.equal(result.status, 0, result.stderr)
  return result.stdout
}

/** The one-line error of a refused command (exit 2). */
function refused(args: readonly string[]): string {
  const result = pki(args)
  assert.equal(result.status, 2, `stdout: ${result.stdout} stderr: ${result.stderr}`)
  const lines = result.stderr.trim().split('\n')
  assert.equal(lines.length, 1, result.stderr)
  return lines[0]!
}

describe('msfl pki', () => {
  it('init, issue, list, revoke and crl: kits that open, keys 0600 and never printed', async () => {
    const root = tempDir('msfl-pki-cli-')
    const dir = join(root, 'pki')
    const init = ok(['init', '--dir', dir, '--federation', 'hospitals', '--days', '30'])
    const fingerprint = /CA fingerprint \(SHA-256\): ([0-9A-F:]{95})/.exec(init)?.[1]
    assert.ok(fingerprint, init)
    const kit = (name: string) => join(root, 'kits', name)
    const common = ['--dir', dir, '--endpoint', 'sp.example.org:7443', '--job', 'adult-fedavg']
    ok([
      'issue',
      ...common,
      '--role',
      'service-provider',
      '--name',
      'server',
      '--host',
      'sp.example.org',
      '--host',
      '10.0.0.5',
      '--out',
      kit('server'),
    ])
    const issued = ok([
      'issue',
      ...common,
      '--role',
      'data-owner',
      '--name',
      'hospital-a',
      '--out',
      kit('hospital-a'),
    ])
    assert.match(issued, /issued data-owner hospital-a of federation hospitals/)
    for (const path of [join(dir, 'ca.key.pem'), join(kit('server'), 'key.pem')])
      assert.equal(statSync(path).mode & 0o777, 0o600, path)
    const owner = await openStartupKit(kit('hospital-a'), { caFingerprint: fingerprint })
    assert.deepEqual(
      [owner.role, owner.name, owner.endpoint],
      ['data-owner', 'hospital-a', 'sp.example.org:7443'],
    )
    const server = await openStartupKit(kit('server'), { caFingerprint: fingerprint })
    assert.match(server.tls.cert, /BEGIN CERTIFICATE/)

    const listed = JSON.parse(ok(['list', '--dir', dir, '--json'])) as {
      certificates: { name: string; status: string }[]
    }
    assert.deepEqual(
      listed.certificates.map((c) => [c.name, c.status]),
      [
        ['server', 'live'],
        ['hospital-a', 'live'],
      ],
    )
    ok(['revoke', '--dir', dir, '--name', 'hospital-a', '--reason', 'keyCompromise'])
    assert.match(ok(['list', '--dir', dir]), /hospital-a\s+\S+\s+revoked \(keyCompromise\)/)
    const out = join(root, 'exported-crl.pem')
    assert.match(ok(['crl', '--dir', dir, '--out', out]), /1 revoked serial$/m)
    await assert.rejects(
      openStartupKit(kit('hospital-a'), { crl: readFileSync(out, 'utf8') }),
      /revoked/,
    )
  })

  it('refuses bad flags naming the flag, and writes no kit', () => {
    const root = tempDir('msfl-pki-cli-')
    const dir = join(root, 'pki')
    ok(['init', '--dir', dir, '--federation', 'hospitals'])
    const out = join(root, 'kit')
    const issue = [
      'issue',
      '--dir',
      dir,
      '--endpoint',
      'localhost:7443',
      '--job',
      'j',
      '--out',
      out,
    ]
    assert.match(
      refused([...issue, '--role', 'admin', '--name', 'a']),
      /^msfl pki: --role: unknown role \(valid: service-provider, requestor, data-owner, verifier, key-holder\)$/,
    )
    assert.match(
      refused([...issue, '--role', 'data-owner', '--name', 'Hospital A']),
      /^msfl pki: --name: must be 1–63 lowercase letters/,
    )
    assert.match(
      refused([...issue, '--role', 'data-owner', '--name', 'a', '--host', 'x.org']),
      /^msfl pki: --host: only a service-provider certificate names hosts$/,
    )
    assert.match(
      refused([...issue, '--role', 'data-owner', '--name', 'a', '--days', '0']),
      /^msfl pki: --days: must be at least 1 day$/,
    )
    assert.match(
      refused([
        'issue',
        '--dir',
        dir,
        '--endpoint',
        'localhost',
        '--job',
        'j',
        '--out',
        out,
        '--role',
        'verifier',
        '--name',
        'a',
      ]),
      /^msfl pki: --endpoint: must be host:port/,
    )
    assert.match(
      refused(['init', '--dir', dir, '--federation', 'x', '--name', 'a']),
      /^msfl pki: --name: not an option of msfl pki init$/,
    )
    assert.match(refused(['rotate', '--dir', dir]), /^msfl pki: unknown subcommand "rotate"/)
    assert.match(
      refused(['init', '--dir', dir, '--federation', 'again']),
      /^msfl pki: dir: .* is not empty/,
    )
    assert.equal(existsSync(out), false)
    assert.match(ok(['list', '--dir', dir]), /^serial\s+role\s+name\s+not after\s+status$/m)
  })
})
