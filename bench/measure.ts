import { performance } from 'node:perf_hooks'

export interface Measurement {
  /** Median wall time of one repetition, in milliseconds. */
  readonly medianMs: number
  readonly minMs: number
  readonly repetitions: number
}

/** Runs `fn` once to warm up, then `repetitions` times; reports median and minimum. */
export function measure(repetitions: number, fn: () => void): Measurement {
  fn()
  const times: number[] = []
  for (let r = 0; r < repetitions; r++) {
    const start = performance.now()
    fn()
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return { medianMs: times[Math.floor(times.length / 2)]!, minMs: times[0]!, repetitions }
}

export async function measureAsync(
  repetitions: number,
  fn: () => Promise<void>,
): Promise<Measurement> {
  await fn()
  const times: number[] = []
  for (let r = 0; r < repetitions; r++) {
    const start = performance.now()
    await fn()
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return { medianMs: times[Math.floor(times.length / 2)]!, minMs: times[0]!, repetitions }
}

export interface BenchRow {
  readonly name: string
  readonly value: string
  readonly detail: string
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })
