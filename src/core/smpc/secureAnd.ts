import type { AndTripleSource } from './nodeMaterial.ts'
import type { OpeningPhase, Party, ProtocolRun } from './protocolStep.ts'

/**
 * x ∧ y on XOR-shared packed bits, 32 gates per word, in one round (Beaver's trick in
 * Z_2): with a dealer triple c = a ∧ b, open d = x ⊕ a and e = y ⊕ b — uniformly random
 * because a and b are — then x ∧ y = c ⊕ (d ∧ b) ⊕ (e ∧ a) ⊕ (d ∧ e), the last term
 * added by party 0 only.
 */
export function* secureAnd(
  party: Party,
  triples: AndTripleSource,
  x: Uint32Array,
  y: Uint32Array,
  phase: OpeningPhase,
): ProtocolRun<Uint32Array> {
  const words = x.length
  const { a, b, c } = triples.take(words)
  const masked = new Uint32Array(2 * words)
  for (let i = 0; i < words; i++) {
    masked[i] = x[i]! ^ a[i]!
    masked[words + i] = y[i]! ^ b[i]!
  }
  const opened = yield { phase, kind: 'bits', share: masked }
  const out = new Uint32Array(words)
  const first = party.index === 0
  for (let i = 0; i < words; i++) {
    const d = opened[i]!
    const e = opened[words + i]!
    out[i] = c[i]! ^ (d & b[i]!) ^ (e & a[i]!) ^ (first ? d & e : 0)
  }
  return out
}
