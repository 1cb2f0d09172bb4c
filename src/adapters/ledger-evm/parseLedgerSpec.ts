import { isAddress } from 'viem'
import { z } from 'zod'
import { MsflError } from '../../core/errors/msflError.ts'
import type { Hex } from './chainClient.ts'

/** Where settlement happens: the in-memory ledger, an EVM in this process, or a JSON-RPC node. */
export type LedgerSpec =
  | { readonly kind: 'memory' }
  | { readonly kind: 'evm' }
  | { readonly kind: 'rpc'; readonly url: string }

const rpcUrlSchema = z
  .string()
  .max(2000, 'must be at most 2,000 characters')
  .refine((text) => {
    try {
      const url = new URL(text)
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
    } catch {
      return false
    }
  }, 'must be an http:// or https:// URL with a host')

const addressSchema = z
  .string()
  .refine((text) => isAddress(text, { strict: false }), 'must be a 0x-prefixed 20-byte address')

/**
 * Parses `--ledger`: `memory`, `evm` (the in-process EVM) or `rpc:<http(s) url>`. The URL
 * is never echoed in errors: node URLs often carry API keys.
 */
export function parseLedgerSpec(text: string, field = '--ledger'): LedgerSpec {
  if (text === 'memory' || text === 'evm') return { kind: text }
  if (text.startsWith('rpc:')) return { kind: 'rpc', url: parseRpcUrl(text.slice(4), field) }
  throw new MsflError('CONFIG_INVALID', `${field} must be memory, evm or rpc:<http(s) url>`)
}

/** Validates a JSON-RPC node URL; `field` names the setting in the error. */
export function parseRpcUrl(text: string, field = 'ledger rpc url'): string {
  const parsed = rpcUrlSchema.safeParse(text)
  if (!parsed.success)
    throw new MsflError('CONFIG_INVALID', `${field} ${parsed.error.issues[0]?.message}`)
  return parsed.data
}

/** Validates an account or contract address; `field` names the setting in the error. */
export function parseAddress(text: string, field: string): Hex {
  const parsed = addressSchema.safeParse(text)
  if (!parsed.success)
    throw new MsflError('CONFIG_INVALID', `${field} ${parsed.error.issues[0]?.message}`)
  return parsed.data as Hex
}
