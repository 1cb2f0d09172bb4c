import { decodeMessage } from '../src/core/wire/decodeMessage.ts'
import { encodeMessage } from '../src/core/wire/encodeMessage.ts'
import { type BenchRow, fmt, measure } from './measure.ts'

/** Wire codec throughput on a model-sized message (the cost every simulated message pays). */
export function benchCodec(params: number): BenchRow {
  const message = {
    type: 'fit',
    round: 1,
    params: Float64Array.from({ length: params }, (_, i) => i / 7),
  }
  let bytes = 0
  const m = measure(20, () => {
    const encoded = encodeMessage(message)
    bytes = encoded.length
    decodeMessage(encoded)
  })
  return {
    name: `wire codec encode + decode, ${fmt(params)} float64 params`,
    value: `${fmt(bytes / 1e6 / (m.medianMs / 1000))} MB/s`,
    detail: `median ${fmt(m.medianMs, 2)} ms for ${fmt(bytes)} bytes`,
  }
}
