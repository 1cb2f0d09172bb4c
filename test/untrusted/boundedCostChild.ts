/**
 * Run by untrustedBytes.test.ts in a fresh process, one input class per process, so
 * that the peak resident set measures this input alone:
 *   node --expose-gc --import tsx boundedCostChild.ts <class> <bytes>
 * Prints one JSON line: the input size, whether it was decoded or refused (with the
 * error's code), and the growth of the peak resident set during the attempt.
 */
import { resourceUsage } from 'node:process'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { decodeMessage } from '../../src/core/wire/decodeMessage.ts'
import { HOSTILE_MESSAGES, type HostileMessage, hostileMessage } from './hostileInputs.ts'
import { type HostileLoad, prepareHostileLoad } from './hostileLoads.ts'

const [kind, sizeText] = process.argv.slice(2)
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

export interface ChildResult {
  readonly kind: string
  readonly inputBytes: number
  readonly outcome: string
  readonly peakGrowthBytes: number
}

async function prepare(): Promise<{ input: Uint8Array; attempt: () => unknown }> {
  if (!(HOSTILE_MESSAGES as readonly string[]).includes(kind!))
    return prepareHostileLoad(kind as HostileLoad, Number(sizeText))
  const input = hostileMessage(kind as HostileMessage, Number(sizeText))
  // Make every page of the input resident, so that the baseline below includes it.
  for (let i = 0; i < input.length; i += 4096) input[i] = input[i]! | 0
  // Warm the decoder up on a small input of the same class (compiles its code paths).
  try {
    decodeMessage(hostileMessage(kind as HostileMessage, 1000))
  } catch {}
  return { input, attempt: () => decodeMessage(input) }
}

const { input, attempt } = await prepare()
gc()
const before = Math.max(process.memoryUsage().rss, resourceUsage().maxRSS * 1024)
let outcome: string
let kept: unknown
try {
  kept = attempt()
  outcome = 'decoded'
} catch (error) {
  outcome = error instanceof MsflError ? `refused:${error.code}` : `crashed:${String(error)}`
}
const peak = resourceUsage().maxRSS * 1024
const result: ChildResult = {
  kind: kind!,
  inputBytes: input.length,
  outcome,
  peakGrowthBytes: Math.max(0, peak - before),
}
process.stdout.write(`${JSON.stringify(result)}\n`)
void kept
