import { MsflError } from '../errors/msflError.ts'
import { bigintToBytes, bytesToBigint } from './bigintBytes.ts'

/**
 * A Paillier public key as the key holder hands it out: magic `MSPK`, version u8 = 1,
 * modulus bytes u16, then n big-endian. g = n + 1 is implied (the only generator msfl
 * uses), so n is the whole key.
 */
const MAGIC = [0x4d, 0x53, 0x50, 0x4b] // 'MSPK'
const VERSION = 1
const HEADER_BYTES = 7

export function encodePaillierPublicKey(n: bigint): Uint8Array {
  const width = Math.ceil(n.toString(2).length / 8)
  const out = new Uint8Array(HEADER_BYTES + width)
  out.set(MAGIC, 0)
  out[4] = VERSION
  new DataView(out.buffer).setUint16(5, width)
  bigintToBytes(n, width, out, HEADER_BYTES)
  return out
}

/** Parses untrusted bytes into n (odd, no leading zero byte); key size policy is the caller's. */
export function decodePaillierPublicKey(bytes: Uint8Array): bigint {
  const fail = (problem: string): never => {
    throw new MsflError('CODEC', `paillier public key: ${problem}`)
  }
  if (bytes.length < HEADER_BYTES + 1) fail(`${bytes.length} bytes is too short`)
  if (MAGIC.some((b, i) => bytes[i] !== b)) fail('bad magic (not a Paillier public key)')
  if (bytes[4] !== VERSION) fail(`unsupported version ${bytes[4]} (expected ${VERSION})`)
  const width = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(5)
  if (bytes.length !== HEADER_BYTES + width)
    fail(`declares a ${width}-byte modulus but carries ${bytes.length - HEADER_BYTES} bytes`)
  if (bytes[HEADER_BYTES] === 0) fail('the modulus has a leading zero byte')
  const n = bytesToBigint(bytes.subarray(HEADER_BYTES))
  if ((n & 1n) === 0n) fail('the modulus is even (not a product of two odd primes)')
  return n
}
