import { performance } from 'node:perf_hooks'
import { loadDataset } from '../src/adapters/data/index.ts'
import { createCkksEvaluator, createCkksRequestor } from '../src/adapters/he-seal/index.ts'
import { createCsprng } from '../src/adapters/random/index.ts'
import { scaleWithOwnStatistics } from '../src/core/data/featureScaling.ts'
import { l2NormalizeRows } from '../src/core/data/l2NormalizeRows.ts'
import { parseDatasetSpec } from '../src/core/data/parseDatasetSpec.ts'
import {
  createBlockLayout,
  gradientRotations,
  gradientSlot,
  packModel,
} from '../src/core/msfl/blockLayout.ts'
import {
  encryptedLogisticGradient,
  gradientOperationCounts,
  plaintextLogisticGradient,
} from '../src/core/msfl/encryptedGradient.ts'
import type { HeCiphertext, HeEvaluator } from '../src/core/ports/he.ts'
import { createSeededRng } from '../src/core/rng/seededRng.ts'
import { type BenchRow, fmt, measure } from './measure.ts'

const seconds = (start: number) => (performance.now() - start) / 1000

/**
 * CKKS on SEAL 4.1.2 (node-seal 6, WebAssembly, one core): one data owner's encrypted
 * Adult gradient, encryption and size of a model update, and the public material.
 */
export async function benchHe(): Promise<BenchRow[]> {
  return [...(await benchGradient()), ...(await benchUpdateEncryption())]
}

async function benchGradient(): Promise<BenchRow[]> {
  // One party scales the rows it holds (a kernel benchmark, not a federation).
  const adult = l2NormalizeRows(
    scaleWithOwnStatistics(await loadDataset(parseDatasetSpec('adult'), 1)).train,
  )
  const layout = createBlockLayout(adult.d, 256, 8192)
  let start = performance.now()
  const requestor = await createCkksRequestor('ckks-16384', {
    rotations: gradientRotations(layout),
  })
  const keygen = seconds(start)
  start = performance.now()
  const owner = await createCkksEvaluator(requestor.publicMaterial)
  const open = seconds(start)

  const rng = createSeededRng(7)
  const rows = Int32Array.from({ length: 256 }, () => rng.nextInt(adult.n))
  const batch = { x: adult.x, d: adult.d, y: Float64Array.from(rows, (r) => adult.y[r]!), rows }
  const weights = Float64Array.from({ length: layout.components }, () => 0.5 * rng.normal())
  const model = packModel(layout, weights).map((v) =>
    owner.load(requestor.evaluator.save(requestor.evaluator.encrypt(v))),
  )
  const floodRng = createCsprng()
  const gradient = (he: HeEvaluator, m: readonly HeCiphertext[]) =>
    he.scope(() => {
      encryptedLogisticGradient(he, m, layout, batch, { floodRng })
    })
  const timing = measure(5, () => gradient(owner, model))

  const out = encryptedLogisticGradient(owner, model, layout, batch, { floodRng })
  const decrypted = out.map((ct) =>
    requestor.decryptor.decrypt(requestor.evaluator.load(owner.save(ct, { compact: true }))),
  )
  const exact = plaintextLogisticGradient(weights, layout, batch)
  let error = 0
  let scale = 0
  for (let j = 0; j < layout.components; j++) {
    const { ciphertext, slot } = gradientSlot(layout, j)
    error = Math.max(error, Math.abs(decrypted[ciphertext]![slot]! - exact[j]!))
    scale = Math.max(scale, Math.abs(exact[j]!))
  }

  // The same with the model one level lower, i.e. no level kept for the service provider.
  const ones = new Float64Array(layout.slots).fill(1)
  const lower = model.map((ct) => owner.multiplyPlain(ct, ones))
  const lowerTiming = measure(5, () => gradient(owner, lower))

  const ops = gradientOperationCounts(layout)
  const material = requestor.publicMaterial.length
  owner.dispose()
  requestor.dispose()
  return [
    {
      name: `encrypted Adult gradient, one data owner (N = 16384, m = 256, ${layout.components} components)`,
      value: `${fmt(timing.medianMs)} ms`,
      detail: `median of ${timing.repetitions}, min ${fmt(timing.minMs)} ms, one core, target ≤ 300 ms; ${layout.ciphertexts} model ciphertexts → ${layout.gradientCiphertexts} gradient ciphertext, ${ops.rotations} rotations, ${ops.relinearisations} relinearisations, ${ops.plainMultiplications} plaintext multiplications, depth 4, flooded; max error ${error.toExponential(1)} = ${(error / scale).toExponential(1)} of max gradient`,
    },
    {
      name: 'same, model sent with 4 levels (none kept for the service provider)',
      value: `${fmt(lowerTiming.medianMs)} ms`,
      detail: 'rotations run one prime cheaper; the result is at the last level',
    },
    {
      name: `public material, ckks-16384 (public, relinearisation and ${gradientRotations(layout).length} Galois keys)`,
      value: `${fmt(material / 1e6, 1)} MB`,
      detail: `seeded, zlib level 1; key generation and bundling ${fmt(keygen, 1)} s, opening (all checks) ${fmt(open, 1)} s`,
    },
  ]
}

async function benchUpdateEncryption(): Promise<BenchRow[]> {
  const params = 100_000
  const requestor = await createCkksRequestor('ckks-8192', { rotations: [] })
  const he = requestor.evaluator
  const slots = he.parameters.slots
  const update = Float64Array.from({ length: params }, (_, i) => Math.sin(i) * 0.01)
  const chunks = Array.from({ length: Math.ceil(params / slots) }, (_, c) =>
    update.subarray(c * slots, (c + 1) * slots),
  )
  let fresh = 0
  let compact = 0
  const timing = measure(3, () =>
    he.scope(() => {
      fresh = 0
      compact = 0
      for (const chunk of chunks) {
        const ct = he.encrypt(chunk)
        fresh += he.save(ct).length
        compact += he.save(ct, { compact: true }).length
      }
    }),
  )
  const encryptOnly = measure(3, () =>
    he.scope(() => {
      for (const chunk of chunks) he.save(he.encrypt(chunk), { compact: true })
    }),
  )
  requestor.dispose()
  return [
    {
      name: `CKKS encryption of a ${fmt(params)}-parameter update (N = 8192)`,
      value: `${fmt(encryptOnly.medianMs)} ms per client`,
      detail: `${chunks.length} ciphertexts, encrypt + compact save, median of ${encryptOnly.repetitions}, one core`,
    },
    {
      name: 'ciphertext bytes per parameter (N = 8192)',
      value: `${fmt(compact / params, 1)} B compact`,
      detail: `${fmt(fresh / params, 1)} B fresh (3 primes, zlib), ${fmt(compact / params, 1)} B after modulus switching to the last level (target ≤ 33 B); ${fmt(timing.medianMs)} ms for both saves`,
    },
  ]
}
