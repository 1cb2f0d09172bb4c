import { MsflError } from '../../core/errors/msflError.ts'
import type { HeParameters } from '../../core/ports/he.ts'
import { decodeMessage } from '../../core/wire/decodeMessage.ts'
import { encodeMessage } from '../../core/wire/encodeMessage.ts'
import type { SealGaloisKeys, SealLibrary, SealPublicKey, SealRelinKeys } from './loadSeal.ts'
import { HE_PRESETS } from './presets.ts'
import { inflateSealObject, pseudoRandomInflation } from './sealCompression.ts'
import { createSealContext, type SealContext } from './sealContext.ts'
import {
  checkKSwitchKeysLayout,
  checkPublicKeyLayout,
  kswitchKeysBytes,
  type LayoutContext,
  publicKeyBytes,
} from './sealObjectLayout.ts'
import { ComprMode, validateSealHeader } from './validateSealHeader.ts'

/**
 * The public material a model requestor hands out: one wire-codec message holding the
 * preset name, the rotation steps and SEAL's public, relinearisation and Galois keys
 * (seeded serialisations, bodies zlib-compressed). It never holds the secret key.
 */
const FORMAT = 'msfl-ckks-public-material'
const VERSION = 1

export interface PublicMaterialParts {
  readonly preset: string
  /** Normalised rotation steps (see normaliseRotations) with a Galois key each. */
  readonly rotations: readonly number[]
  readonly publicKey: Uint8Array
  readonly relinKeys: Uint8Array
  /** Absent when no rotation was requested (SEAL would otherwise generate all). */
  readonly galoisKeys?: Uint8Array
}

export function encodePublicMaterial(parts: PublicMaterialParts): Uint8Array {
  return encodeMessage({
    format: FORMAT,
    version: VERSION,
    preset: parts.preset,
    rotations: Int32Array.from(parts.rotations),
    publicKey: parts.publicKey,
    relinKeys: parts.relinKeys,
    galoisKeys: parts.galoisKeys,
  })
}

/** At most two keys per power of two below the slot count: more than any layout needs. */
function maxRotations(parameters: HeParameters): number {
  return 2 * Math.log2(parameters.slots)
}

/**
 * Rotation steps as left rotations in [1, slots), sorted and distinct (a rotation by
 * −s is the rotation by slots − s; 0 needs no key). CONFIG_INVALID for non-integers
 * or more steps than the material may carry.
 */
export function normaliseRotations(parameters: HeParameters, steps: readonly number[]): number[] {
  const out = new Set<number>()
  for (const step of steps) {
    if (!Number.isSafeInteger(step))
      throw new MsflError('CONFIG_INVALID', `rotations: ${step} is not an integer`)
    const s = ((step % parameters.slots) + parameters.slots) % parameters.slots
    if (s !== 0) out.add(s)
  }
  if (out.size > maxRotations(parameters))
    throw new MsflError(
      'CONFIG_INVALID',
      `rotations: ${out.size} distinct steps exceed the limit of ${maxRotations(parameters)}`,
    )
  return [...out].sort((a, b) => a - b)
}

/** SEAL's Galois element of a left rotation by `step` slots: 3^step mod 2N. */
export function galoisElement(step: number, polyModulusDegree: number): number {
  const m = 2 * polyModulusDegree
  let result = 1
  let base = 3
  for (let e = step; e > 0; e >>= 1) {
    if (e & 1) result = (result * base) % m
    base = (base * base) % m
  }
  return result
}

export interface LoadedKeys {
  readonly publicKey: SealPublicKey
  readonly relinKeys: SealRelinKeys
  readonly galoisKeys: SealGaloisKeys | undefined
  readonly rotations: ReadonlySet<number>
  delete(): void
}

/** The biggest material any preset can produce (bounds the decoder before the preset is known). */
const MAX_MATERIAL_BYTES = Object.values(HE_PRESETS).reduce((max, p) => {
  const n = p.polyModulusDegree
  const primes = p.coeffModulusBits.length
  const key = 2 * n * primes * 8 + 256
  return Math.max(max, (maxRotations(p) + 2) * (primes - 1) * key + 8 * n + 64 * 1024)
}, 0)

/**
 * Opens untrusted public material: decodes the message, checks its shape, the preset
 * and the rotations, then checks every key's bytes completely (header, bounded
 * inflation, layout against the parameters) before SEAL loads it, and that SEAL
 * reports the expected keys afterwards. The keys' origin is not authenticated here:
 * that is the transport's job (see THREAT_MODEL.md).
 */
export function openPublicMaterial(
  seal: SealLibrary,
  bytes: Uint8Array,
  existing?: SealContext,
): { context: SealContext; keys: LoadedKeys } {
  const message = decodeMessage(bytes, { maxBytes: MAX_MATERIAL_BYTES })
  const fail = (problem: string): never => {
    throw new MsflError('CODEC', `public material: ${problem}`)
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message))
    return fail('not an object')
  const m = message as Record<string, unknown>
  const allowed = new Set([
    'format',
    'version',
    'preset',
    'rotations',
    'publicKey',
    'relinKeys',
    'galoisKeys',
  ])
  for (const key of Object.keys(m)) if (!allowed.has(key)) fail(`unexpected field '${key}'`)
  if (m.format !== FORMAT) fail('wrong format tag')
  if (m.version !== VERSION) fail(`unsupported version ${String(m.version)}`)
  if (typeof m.preset !== 'string' || !Object.hasOwn(HE_PRESETS, m.preset))
    fail(`unknown preset ${JSON.stringify(m.preset)}`)
  const parameters = HE_PRESETS[m.preset as string]!
  if (!(m.rotations instanceof Int32Array)) return fail('rotations must be an Int32Array')
  const rotations = [...m.rotations]
  let normalised: number[]
  try {
    normalised = normaliseRotations(parameters, rotations)
  } catch {
    return fail('invalid rotations')
  }
  if (normalised.length !== rotations.length || normalised.some((s, i) => s !== rotations[i]))
    fail('rotations must be sorted, distinct and in [1, slots)')
  for (const key of ['publicKey', 'relinKeys'] as const)
    if (!(m[key] instanceof Uint8Array)) fail(`${key} must be bytes`)
  if (rotations.length > 0 ? !(m.galoisKeys instanceof Uint8Array) : m.galoisKeys !== undefined)
    fail(rotations.length > 0 ? 'galoisKeys missing' : 'galoisKeys present without rotations')
  if (existing && existing.parameters !== parameters) fail('preset does not match the context')

  const context = existing ?? createSealContext(seal, parameters)
  const created: { delete(): void }[] = []
  try {
    const layout: LayoutContext = {
      polyModulusDegree: parameters.polyModulusDegree,
      dataLevels: context.dataLevels,
      keyLevel: context.keyLevel,
      scale: 2 ** parameters.scaleBits,
    }
    const raw = (blob: Uint8Array, what: string, maxBytes: number): Uint8Array => {
      const header = validateSealHeader(blob, {
        what,
        maxBytes,
        compression: [ComprMode.none, ComprMode.zlib],
      })
      const bound = pseudoRandomInflation(
        context.keyLevel.primes,
        layout.polyModulusDegree,
        maxBytes,
      )
      return inflateSealObject(blob, header, bound, what)
    }
    const load = <
      T extends { loadArray(c: typeof context.context, b: Uint8Array): void; delete(): void },
    >(
      object: T,
      bytes: Uint8Array,
      what: string,
    ): T => {
      created.push(object)
      try {
        object.loadArray(context.context, bytes)
      } catch (cause) {
        throw new MsflError('CODEC', `public material: SEAL refused the ${what}`, { cause })
      }
      return object
    }

    const pkBytes = raw(m.publicKey as Uint8Array, 'public key', publicKeyBytes(layout))
    checkPublicKeyLayout(pkBytes, layout)
    const publicKey = load(seal.PublicKey(), pkBytes, 'public key')

    const rkBytes = raw(
      m.relinKeys as Uint8Array,
      'relinearisation keys',
      kswitchKeysBytes(layout, 1),
    )
    const relinRows = checkKSwitchKeysLayout(rkBytes, layout, 'relinearisation keys', 1)
    if (relinRows[0] !== 0) fail('relinearisation key is not for the square of the secret key')
    const relinKeys = load(seal.RelinKeys(), rkBytes, 'relinearisation keys')
    if (relinKeys.size !== 1 || !relinKeys.hasKey(2)) fail('relinearisation keys incomplete')

    let galoisKeys: SealGaloisKeys | undefined
    if (rotations.length > 0) {
      const what = 'Galois keys'
      const gkBytes = raw(
        m.galoisKeys as Uint8Array,
        what,
        kswitchKeysBytes(layout, rotations.length),
      )
      const rows = checkKSwitchKeysLayout(gkBytes, layout, what, rotations.length)
      const expected = rotations
        .map((s) => (galoisElement(s, parameters.polyModulusDegree) - 1) / 2)
        .sort((a, b) => a - b)
      if (rows.some((row, i) => row !== expected[i])) fail('Galois keys do not match the rotations')
      const gk = load(seal.GaloisKeys(), gkBytes, what)
      if (gk.size !== rotations.length) fail('Galois keys incomplete')
      for (const s of rotations)
        if (!gk.hasKey(galoisElement(s, parameters.polyModulusDegree)))
          fail(`no Galois key for rotation ${s}`)
      galoisKeys = gk
    }
    return {
      context,
      keys: {
        publicKey,
        relinKeys,
        galoisKeys,
        rotations: new Set(rotations),
        delete() {
          for (const object of created) object.delete()
        },
      },
    }
  } catch (error) {
    for (const object of created) object.delete()
    if (!existing) context.delete()
    throw error
  }
}
