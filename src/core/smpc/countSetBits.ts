import { MsflError } from '../errors/msflError.ts'
import type { ComparisonPlan } from './comparisonPlan.ts'
import type { Party, ProtocolRun } from './protocolStep.ts'
import { type RingVector, ringSumWhere, ringZeros } from './ring64.ts'

/**
 * Arithmetic shares of the number of set bits of each check group's result, from XOR
 * shares of the bits. Uses daBits: a random bit r shared both as a bit and in the ring.
 * Opening e = b ⊕ r reveals nothing (r is a fair coin), and then
 * b = e ⊕ r = e + (1 − 2e)·r, which every node applies to its ring share of r
 * (party 0 also adds e). Summing is local, so only the counts remain to be opened.
 */
export function* countSetBits(
  party: Party,
  plan: ComparisonPlan,
  bits: Uint32Array,
  daBitWords: Uint32Array,
  daBitRing: RingVector,
): ProtocolRun<RingVector> {
  if (bits.length !== plan.resultWords || daBitWords.length !== plan.resultWords)
    throw new MsflError('PROTOCOL', `expected ${plan.resultWords} words of result bits`)
  if (daBitRing.length !== 2 * 32 * plan.resultWords)
    throw new MsflError('PROTOCOL', `expected ${32 * plan.resultWords} ring daBits`)
  const masked = new Uint32Array(bits.length)
  for (let i = 0; i < bits.length; i++) masked[i] = bits[i]! ^ daBitWords[i]!
  const opened = yield { phase: 'dabit', kind: 'bits', share: masked }
  const isSet = (q: number) => ((opened[q >>> 5]! >>> (q & 31)) & 1) === 1
  const counts = ringZeros(plan.groups.length)
  plan.groups.forEach((g, index) => {
    const start = 32 * g.resultOffset
    const [plusLo, plusHi] = ringSumWhere(daBitRing, start, g.length, (q) => !isSet(q))
    const [minusLo, minusHi] = ringSumWhere(daBitRing, start, g.length, isSet)
    let ones = 0
    if (party.index === 0) for (let q = start; q < start + g.length; q++) if (isSet(q)) ones++
    // plus − minus + ones, with one borrow from hi to lo when needed.
    let lo = plusLo - minusLo + ones
    let hi = plusHi - minusHi
    while (lo < 0) {
      lo += 4294967296
      hi -= 1
    }
    while (lo >= 4294967296) {
      lo -= 4294967296
      hi += 1
    }
    counts[2 * index] = lo
    counts[2 * index + 1] = hi
  })
  return counts
}
