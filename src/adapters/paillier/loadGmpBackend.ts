import { type GMPLib, init } from 'gmp-wasm'
import { MsflError } from '../../core/errors/msflError.ts'
import type { ModularBackend } from './modularBackend.ts'

let library: Promise<GMPLib> | undefined

/**
 * GMP 6 in WebAssembly (npm `gmp-wasm`, LGPL-3.0, bundled as base64: no install script,
 * no network). One WebAssembly instance per process; each backend keeps four scratch
 * integers in it, so a call allocates nothing. Values cross as hex strings: a few
 * microseconds against milliseconds of exponentiation.
 */
export async function loadGmpBackend(): Promise<ModularBackend> {
  let gmp: GMPLib
  try {
    library ??= init()
    gmp = await library
  } catch (error) {
    library = undefined
    throw new MsflError('CONFIG_INVALID', 'paillier backend: gmp-wasm failed to load', {
      cause: error,
    })
  }
  const g = gmp.binding
  const scratch = () => {
    const ptr = g.mpz_t()
    g.mpz_init(ptr)
    return ptr
  }
  const base = scratch()
  const exponent = scratch()
  const modulus = scratch()
  const out = scratch()
  const set = (ptr: number, value: bigint) => {
    if (value < 0n) throw new RangeError('gmp backend: negative operand')
    g.mpz_set_string(ptr, value.toString(16), 16)
  }
  const get = (ptr: number) => BigInt(`0x${g.mpz_to_string(ptr, 16)}`)
  const power = (secret: boolean) => (b: bigint, e: bigint, m: bigint) => {
    if (m === 1n) return 0n
    if (e === 0n) return 1n
    set(base, b % m)
    set(exponent, e)
    set(modulus, m)
    // mpz_powm_sec requires an odd modulus and a positive exponent (both hold for p², q²).
    if (secret && (m & 1n) === 1n) g.mpz_powm_sec(out, base, exponent, modulus)
    else g.mpz_powm(out, base, exponent, modulus)
    return get(out)
  }
  return {
    name: 'gmp-wasm',
    modPow: power(false),
    modPowSecret: power(true),
    gcd(a, b) {
      set(base, a < 0n ? -a : a)
      set(modulus, b < 0n ? -b : b)
      g.mpz_gcd(out, base, modulus)
      return get(out)
    },
  }
}
