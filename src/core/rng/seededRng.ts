import { createNormalSampler } from './createNormalSampler.ts'
import type { Rng } from './rng.ts'

/**
 * xoshiro128** seeded through splitmix32: fast, 2^128 period, deterministic across
 * platforms because it only uses 32-bit integer arithmetic. For reproducible
 * simulation of data, partitions, sampling and attacks only; never for secrets.
 */
export function createSeededRng(seed: number): Rng {
  let s = seed >>> 0
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = splitmix()
  let b = splitmix()
  let c = splitmix()
  let d = splitmix()
  if ((a | b | c | d) === 0) a = 1

  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0
    const t = (b << 9) >>> 0
    c ^= a
    d ^= b
    b ^= c
    a ^= d
    c ^= t
    d = rotl(d, 11)
    return result
  }
  const next = (): number => (nextU32() * 2 ** 21 + (nextU32() >>> 11)) / 2 ** 53

  return {
    kind: 'seeded',
    next,
    nextInt(bound: number): number {
      if (!Number.isInteger(bound) || bound <= 0)
        throw new RangeError(`nextInt bound must be a positive integer, got ${bound}`)
      return Math.floor(next() * bound)
    },
    normal: createNormalSampler(next),
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}

/** Derives an independent stream for a named purpose, so adding draws in one place never shifts another. */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  // FNV-1a over the seed and labels, then one splitmix finalisation round.
  let h = 0x811c9dc5 ^ (seed >>> 0)
  for (const label of labels) {
    const text = String(label)
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i)
      h = Math.imul(h, 0x01000193) >>> 0
    }
    h ^= 0xff
    h = Math.imul(h, 0x01000193) >>> 0
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(
  array: T,
  rng: Rng,
): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1)
    const tmp = array[i]
    array[i] = array[j]
    array[j] = tmp
  }
  return array
}
