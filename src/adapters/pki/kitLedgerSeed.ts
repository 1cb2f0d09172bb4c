import { hkdfSync } from 'node:crypto'
import { MsflError } from '../../core/errors/msflError.ts'
import type { StartupKit } from './openStartupKit.ts'

/**
 * A 32-byte seed for a party's ledger account in one run, derived (HKDF-SHA256) from its kit's
 * private key, the kit's name and the run id: a restarted process reaches the same account
 * without its key ever being written, logged or sent (the kit key, drawn from the CSPRNG when
 * the kit was issued, is the only secret on disk). Another run, or another kit, gives an
 * unrelated seed. The caller zeroes the seed once the account is derived.
 */
export function kitLedgerSeed(
  kit: Pick<StartupKit, 'signingKey' | 'name'>,
  runId: string,
): Uint8Array {
  if (runId.length === 0)
    throw new MsflError('CONFIG_INVALID', 'runId: a ledger seed needs the run it is for')
  const secret = kit.signingKey.export({ type: 'pkcs8', format: 'der' })
  try {
    return new Uint8Array(
      hkdfSync('sha256', secret, 'msfl/kit-ledger-seed/v1', `${runId}\n${kit.name}`, 32),
    )
  } finally {
    secret.fill(0)
  }
}
