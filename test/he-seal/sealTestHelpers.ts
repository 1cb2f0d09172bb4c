import { createCkksRequestor } from '../../src/adapters/he-seal/index.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

/*
 * SEAL's WebAssembly memory, for leak tests. node-seal 6 does not expose it, and
 * process.memoryUsage().external mixes it with garbage-collected buffers, so the tests
 * watch the instantiation instead: importing this module (before the first loadSeal,
 * which is lazy) records the Memory that SEAL's module exports. Test code only.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer
}
// The project's TypeScript libraries (ES2022, Node) do not declare WebAssembly.
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      instantiate: (...args: unknown[]) => Promise<unknown>
      Memory: abstract new (...args: never[]) => WasmMemory
    }
  }
).WebAssembly
let sealMemory: WasmMemory | undefined
const instantiate = wasm.instantiate
wasm.instantiate = async (...args: unknown[]) => {
  const result = await instantiate(...args)
  const instance = (result as { instance?: unknown }).instance ?? result
  for (const value of Object.values((instance as { exports: object }).exports))
    if (value instanceof wasm.Memory) sealMemory ??= value
  return result
}

/** Size of SEAL's WebAssembly memory in bytes: it grows in 64 KiB pages and never shrinks. */
export function wasmHeapBytes(): number {
  if (!sealMemory) throw new Error('SEAL was instantiated before sealTestHelpers was imported')
  return sealMemory.buffer.byteLength
}

/** max |actual − expected| / max |expected| over the expected values. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let error = 0
  let scale = 0
  for (let i = 0; i < expected.length; i++) {
    error = Math.max(error, Math.abs(actual[i]! - expected[i]!))
    scale = Math.max(scale, Math.abs(expected[i]!))
  }
  return error / scale
}

export function randomVector(length: number, seed: number, amplitude = 1): Float64Array {
  const rng = createSeededRng(seed)
  return Float64Array.from({ length }, () => amplitude * (2 * rng.next() - 1))
}

/** The rotations the 8192-slot tests use. */
export const TEST_ROTATIONS = [1, 2, 4, -1, 256]

export const requestor8192 = () => createCkksRequestor('ckks-8192', { rotations: TEST_ROTATIONS })
