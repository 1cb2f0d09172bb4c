import { MsflError } from '../errors/msflError.ts'
import { bitPlanes, plane, RING_BITS } from './bitPlanes.ts'
import type { AndTripleSource } from './nodeMaterial.ts'
import type { Party, ProtocolRun } from './protocolStep.ts'
import { type RingVector, ringAdd, ringCount } from './ring64.ts'
import { secureAnd } from './secureAnd.ts'

/**
 * XOR shares of the sign bit [x < 0] of every shared x in Z_2^64 (the most significant
 * bit, exact for every ring element; it is the sign of the true integer as long as that
 * lies in [−2^63, 2^63), which weightBoundBits.ts guarantees for everything compared).
 *
 * With a dealer mask r, shared both in the ring and bit by bit:
 * 1. open c = x + r: uniformly random, so it says nothing about x;
 * 2. x = c − r, so MSB(x) = c_63 ⊕ r_63 ⊕ borrow_63, where borrow_63 is the borrow out of
 *    bits 0..62 of the subtraction c − r. With c public, bit i generates a borrow iff
 *    c_i = 0 ∧ r_i = 1 (g_i = r_i ∧ ¬c_i, local) and propagates one iff c_i = r_i
 *    (p_i = r_i ⊕ ¬c_i, local);
 * 3. combine neighbouring groups (low L, high H) as G = G_H ⊕ (P_H ∧ G_L),
 *    P = P_H ∧ P_L (a group cannot both generate and propagate, so OR is XOR), in a
 *    tree of 6 AND layers (comparisonPlan.ts counts the gates).
 * Bits are sliced across values, so every gate runs on 32 comparisons per word.
 */
export function* secureSignBits(
  party: Party,
  values: RingVector,
  maskRing: RingVector,
  maskPlanes: Uint32Array,
  triples: AndTripleSource,
): ProtocolRun<Uint32Array> {
  const count = ringCount(values)
  const words = count / 32
  if (!Number.isInteger(words) || maskRing.length !== values.length)
    throw new MsflError('PROTOCOL', `sign test of ${count} values: masks do not match`)
  if (maskPlanes.length !== RING_BITS * words)
    throw new MsflError('PROTOCOL', `sign test of ${count} values: mask bits do not match`)
  const c = yield { phase: 'mask', kind: 'ring', share: ringAdd(values, maskRing) }
  const cPlanes = bitPlanes(c)
  const first = party.index === 0

  let generate: Uint32Array[] = []
  let propagate: Uint32Array[] = []
  for (let b = 0; b < RING_BITS - 1; b++) {
    const cb = plane(cPlanes, b, words)
    const rb = plane(maskPlanes, b, words)
    const g = new Uint32Array(words)
    const p = new Uint32Array(words)
    for (let i = 0; i < words; i++) {
      g[i] = rb[i]! & ~cb[i]!
      p[i] = first ? rb[i]! ^ ~cb[i]! : rb[i]!
    }
    generate.push(g)
    propagate.push(p)
  }

  while (generate.length > 1) {
    const pairs = Math.floor(generate.length / 2)
    const gates = 2 * pairs - 1
    const x = new Uint32Array(gates * words)
    const y = new Uint32Array(gates * words)
    for (let j = 0; j < pairs; j++) {
      x.set(propagate[2 * j + 1]!, j * words)
      y.set(generate[2 * j]!, j * words)
    }
    // The lowest pair (j = 0) contains bit 0: its propagate bit is never needed.
    for (let j = 1; j < pairs; j++) {
      x.set(propagate[2 * j + 1]!, (pairs + j - 1) * words)
      y.set(propagate[2 * j]!, (pairs + j - 1) * words)
    }
    const z = yield* secureAnd(party, triples, x, y, 'borrow')
    const nextGenerate: Uint32Array[] = []
    const nextPropagate: Uint32Array[] = []
    for (let j = 0; j < pairs; j++) {
      const high = generate[2 * j + 1]!
      const g = new Uint32Array(words)
      for (let i = 0; i < words; i++) g[i] = high[i]! ^ z[j * words + i]!
      nextGenerate.push(g)
      nextPropagate.push(
        j === 0 ? new Uint32Array(0) : z.slice((pairs + j - 1) * words, (pairs + j) * words),
      )
    }
    if (generate.length % 2 === 1) {
      nextGenerate.push(generate[generate.length - 1]!)
      nextPropagate.push(propagate[propagate.length - 1]!)
    }
    generate = nextGenerate
    propagate = nextPropagate
  }

  const borrow = generate[0]!
  const cTop = plane(cPlanes, RING_BITS - 1, words)
  const rTop = plane(maskPlanes, RING_BITS - 1, words)
  const sign = new Uint32Array(words)
  for (let i = 0; i < words; i++) sign[i] = rTop[i]! ^ borrow[i]! ^ (first ? cTop[i]! : 0)
  return sign
}
