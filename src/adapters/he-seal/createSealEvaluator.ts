import { MsflError } from '../../core/errors/msflError.ts'
import type { HeCiphertext, HeEvaluator } from '../../core/ports/he.ts'
import type { SealCiphertext, SealPlaintext } from './loadSeal.ts'
import type { LoadedKeys } from './openPublicMaterial.ts'
import { compressSealObject, inflateSealObject, pseudoRandomInflation } from './sealCompression.ts'
import type { SealContext, SealLevel } from './sealContext.ts'
import { HandleRegistry } from './sealHandles.ts'
import { checkCiphertextLayout, ciphertextBytes } from './sealObjectLayout.ts'
import { ComprMode, validateSealHeader } from './validateSealHeader.ts'

/** The SEAL evaluator: the port plus lifetime management and a live-handle count. */
export interface SealEvaluator extends HeEvaluator {
  /** Ciphertexts currently held (created and not yet released). */
  readonly liveCiphertexts: number
  /** Releases every ciphertext, the keys and the SEAL context. */
  dispose(): void
}

export interface SealEvaluatorParts {
  readonly evaluator: SealEvaluator
  /** The SEAL ciphertext behind a live handle (for the requestor's decryptor). */
  ciphertextOf(handle: HeCiphertext, op: string): SealCiphertext
  /**
   * Encodes `values` at the first level as `encrypt` does and serialises what `encrypt`
   * makes of the plaintext, compressed as `save` would (for the requestor's secret-key
   * encryption, which SEAL serialises seeded).
   */
  saveFresh(
    values: Float64Array,
    op: string,
    encrypt: (pt: SealPlaintext) => Uint8Array,
  ): Uint8Array
}

/**
 * Compression pays only when coefficients leave whole bytes unused: measured with
 * zlib level 1, a fresh `ckks-8192` ciphertext (primes of 60, 40, 40 bits) shrinks
 * to 0.84, one at the last level (one 60-bit prime) only to 0.99.
 */
const COMPRESS_BELOW_MEAN_BITS = 56

/**
 * CKKS on SEAL behind the HeEvaluator port. Invariants every operation keeps:
 * - every ciphertext has scale exactly 2^scaleBits, so any two can be added once
 *   their levels agree (`add` modulus-switches the higher one down);
 * - plaintexts are encoded at the ciphertext's level; for `multiplyPlain` at scale
 *   q·2^scaleBits/ct.scale, where q is the prime the rescale drops, so the product's
 *   scale after rescaling is exactly 2^scaleBits with no approximation;
 * - `multiply` relinearises and rescales, then declares the scale 2^scaleBits
 *   although it is 2^(2·scaleBits)/q: the value is off by the factor 2^scaleBits/q,
 *   a relative error below 5e-6 for the 40-bit primes SEAL picks (the standard
 *   trick that keeps every level's scale equal).
 */
export function createSealEvaluator(ctx: SealContext, keys: LoadedKeys): SealEvaluatorParts {
  const { seal, encoder, evaluator: ev, parameters } = ctx
  const registry = new HandleRegistry()
  const encryptor = seal.Encryptor(ctx.context, keys.publicKey)
  const scale = 2 ** parameters.scaleBits
  const first = ctx.dataLevels.at(-1)!
  const last = ctx.dataLevels[0]!
  const layout = {
    polyModulusDegree: parameters.polyModulusDegree,
    dataLevels: ctx.dataLevels,
    keyLevel: ctx.keyLevel,
    scale,
  }
  const maxCiphertextBytes = ciphertextBytes(parameters.polyModulusDegree, first.primes.length)
  const inflation = pseudoRandomInflation(
    first.primes,
    parameters.polyModulusDegree,
    maxCiphertextBytes,
  )
  let disposed = false

  const guard = <T>(op: string, fn: () => T): T => {
    if (disposed) throw new MsflError('PROTOCOL', `${op}: the HE evaluator was disposed`)
    try {
      return fn()
    } catch (error) {
      if (error instanceof MsflError) throw error
      throw new MsflError(
        'PROTOCOL',
        `${op}: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      )
    }
  }

  const checkValues = (values: Float64Array, op: string): void => {
    if (!(values instanceof Float64Array))
      throw new MsflError('PROTOCOL', `${op}: values must be a Float64Array`)
    if (values.length > parameters.slots)
      throw new MsflError(
        'PROTOCOL',
        `${op}: ${values.length} values exceed ${parameters.slots} slots`,
      )
    for (let i = 0; i < values.length; i++)
      if (!Number.isFinite(values[i]!))
        throw new MsflError('PROTOCOL', `${op}: value ${i} is not finite`)
  }

  // Bits of each level's modulus, for the range check below.
  const modulusBits = new Map(
    ctx.dataLevels.map((level) => [
      level,
      level.primes.reduce((sum, q) => sum + Math.log2(Number(q)), 0),
    ]),
  )

  const encodeAt = (values: Float64Array, level: SealLevel, atScale: number): SealPlaintext => {
    // SEAL encodes at the first level, where it checks the size, and the plaintext is
    // then reduced to the ciphertext's level: values too large for that level's modulus
    // would wrap around silently. Every coefficient is at most max|value|·scale, so
    // refuse what could exceed half the modulus.
    let largest = 0
    for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i]!))
    if (largest > 0 && Math.log2(largest * atScale) >= modulusBits.get(level)! - 1)
      throw new MsflError(
        'PROTOCOL',
        `values up to ${largest} are too large for a ciphertext with ${level.chainIndex} levels left`,
      )
    const pt = seal.PlainText()
    try {
      encoder.encode(values, atScale, pt)
      if (level !== first) ev.plainModSwitchTo(pt, level.parmsId, pt)
      return pt
    } catch (error) {
      pt.delete()
      throw error
    }
  }

  /** A copy of `entry`'s ciphertext at a lower (or the same) level. */
  const copyAt = (ct: SealCiphertext, from: SealLevel, to: SealLevel): SealCiphertext => {
    const out = seal.CipherText()
    if (from === to) out.copy(ct)
    else ev.cipherModSwitchTo(ct, to.parmsId, out)
    return out
  }

  const wrapNew = (level: SealLevel, fill: (out: SealCiphertext) => void): HeCiphertext => {
    const out = seal.CipherText()
    try {
      fill(out)
    } catch (error) {
      out.delete()
      throw error
    }
    return registry.wrap(out, level)
  }

  /**
   * Runs `use` on two operands brought to the lower of their levels (a binary operation
   * needs both at one level); the temporary copies are freed afterwards.
   */
  const atCommonLevel = (
    x: { ct: SealCiphertext; level: SealLevel },
    y: { ct: SealCiphertext; level: SealLevel },
    use: (xs: SealCiphertext, ys: SealCiphertext, level: SealLevel) => HeCiphertext,
  ): HeCiphertext => {
    const level = x.level.chainIndex <= y.level.chainIndex ? x.level : y.level
    const xs = x.level === level ? x.ct : copyAt(x.ct, x.level, level)
    const ys = y.level === level ? y.ct : copyAt(y.ct, y.level, level)
    try {
      return use(xs, ys, level)
    } finally {
      if (xs !== x.ct) xs.delete()
      if (ys !== y.ct) ys.delete()
    }
  }

  const below = (level: SealLevel, op: string): SealLevel => {
    if (level.chainIndex === 0)
      throw new MsflError('PROTOCOL', `${op}: ciphertext has no levels left`)
    return ctx.dataLevels[level.chainIndex - 1]!
  }

  const rotations = keys.rotations

  const compressAt = (level: SealLevel, bytes: Uint8Array): Uint8Array => {
    const meanBits =
      level.primes.reduce((sum, q) => sum + q.toString(2).length, 0) / level.primes.length
    return meanBits <= COMPRESS_BELOW_MEAN_BITS ? compressSealObject(bytes) : bytes
  }

  const he: SealEvaluator = {
    parameters,
    get liveCiphertexts() {
      return registry.liveCount
    },
    encrypt(values) {
      return guard('encrypt', () => {
        checkValues(values, 'encrypt')
        const pt = encodeAt(values, first, scale)
        try {
          return wrapNew(first, (out) => encryptor.encrypt(pt, out))
        } finally {
          pt.delete()
        }
      })
    },
    load(bytes) {
      return guard('load', () => {
        if (!(bytes instanceof Uint8Array))
          throw new MsflError('CODEC', 'ciphertext: expected bytes')
        const header = validateSealHeader(bytes, {
          what: 'ciphertext',
          maxBytes: maxCiphertextBytes,
          compression: [ComprMode.none, ComprMode.zlib],
        })
        const raw = inflateSealObject(bytes, header, inflation, 'ciphertext')
        const level = checkCiphertextLayout(raw, layout)
        return wrapNew(level, (out) => {
          try {
            out.loadArray(ctx.context, raw)
          } catch (cause) {
            throw new MsflError('CODEC', 'ciphertext: SEAL refused it', { cause })
          }
          // The same properties once more, as SEAL itself now reports them.
          const parmsId = out.parmsId
          const loaded = ctx.levelOf(parmsId)
          parmsId.delete()
          if (loaded !== level || out.size !== 2 || out.scale !== scale || !out.isNttForm)
            throw new MsflError('CODEC', 'ciphertext: loaded object does not match its layout')
          if (out.isTransparent)
            throw new MsflError(
              'CODEC',
              'ciphertext: transparent (it would carry its plaintext openly)',
            )
        })
      })
    },
    save(ct, options = {}) {
      return guard('save', () => {
        const entry = registry.get(ct, 'save')
        const level = options.compact ? last : entry.level
        const copy = level === entry.level ? undefined : copyAt(entry.ct, entry.level, level)
        let bytes: Uint8Array
        try {
          bytes = (copy ?? entry.ct).saveArray(seal.ComprModeType.none)
        } finally {
          copy?.delete()
        }
        return compressAt(level, bytes)
      })
    },
    add(a, b) {
      return guard('add', () => {
        const x = registry.get(a, 'add')
        const y = registry.get(b, 'add')
        return atCommonLevel(x, y, (xs, ys, level) => wrapNew(level, (out) => ev.add(xs, ys, out)))
      })
    },
    addPlain(a, values) {
      return guard('addPlain', () => {
        const x = registry.get(a, 'addPlain')
        checkValues(values, 'addPlain')
        const pt = encodeAt(values, x.level, x.ct.scale)
        try {
          return wrapNew(x.level, (out) => ev.addPlain(x.ct, pt, out))
        } finally {
          pt.delete()
        }
      })
    },
    multiplyPlain(a, values) {
      return guard('multiplyPlain', () => {
        const x = registry.get(a, 'multiplyPlain')
        checkValues(values, 'multiplyPlain')
        const next = below(x.level, 'multiplyPlain')
        const dropped = Number(x.level.primes.at(-1)!)
        const pt = encodeAt(values, x.level, (dropped * scale) / x.ct.scale)
        try {
          if (pt.isZero) {
            // SEAL refuses a product with the zero polynomial (the result would be a
            // "transparent" ciphertext, i.e. no encryption at all). Zero times anything
            // is zero, so the result is a fresh public-key encryption of zero at the
            // level the product would have: correct, and independent of the input.
            return wrapNew(next, (out) => {
              encryptor.encryptZero(out)
              ev.cipherModSwitchTo(out, next.parmsId, out)
              out.setScale(scale)
            })
          }
          return wrapNew(next, (out) => {
            ev.multiplyPlain(x.ct, pt, out)
            ev.rescaleToNext(out, out)
            out.setScale(scale)
          })
        } finally {
          pt.delete()
        }
      })
    },
    multiply(a, b) {
      return guard('multiply', () => {
        const x = registry.get(a, 'multiply')
        const y = registry.get(b, 'multiply')
        return atCommonLevel(x, y, (xs, ys, level) =>
          wrapNew(below(level, 'multiply'), (out) => {
            if (a === b) ev.square(xs, out)
            else ev.multiply(xs, ys, out)
            ev.relinearize(out, keys.relinKeys, out)
            ev.rescaleToNext(out, out)
            out.setScale(scale)
          }),
        )
      })
    },
    rotate(a, steps) {
      return guard('rotate', () => {
        const x = registry.get(a, 'rotate')
        if (!Number.isInteger(steps))
          throw new MsflError('PROTOCOL', `rotate: steps must be an integer, got ${steps}`)
        const normalised = ((steps % parameters.slots) + parameters.slots) % parameters.slots
        if (normalised === 0) return wrapNew(x.level, (out) => out.copy(x.ct))
        if (!rotations.has(normalised) || !keys.galoisKeys)
          throw new MsflError('PROTOCOL', `rotate: no Galois key for a rotation by ${steps}`)
        const galois = keys.galoisKeys
        return wrapNew(x.level, (out) => ev.rotateVector(x.ct, normalised, galois, out))
      })
    },
    levelsLeft(a) {
      return registry.get(a, 'levelsLeft').level.chainIndex
    },
    release(ct) {
      registry.release(ct)
    },
    scope(fn) {
      return registry.scope(fn)
    },
    dispose() {
      if (disposed) return
      registry.dispose()
      disposed = true
      encryptor.delete()
      keys.delete()
      ctx.delete()
    },
  }
  return {
    evaluator: he,
    ciphertextOf: (handle, op) => guard(op, () => registry.get(handle, op).ct),
    saveFresh: (values, op, encrypt) =>
      guard(op, () => {
        checkValues(values, op)
        const pt = encodeAt(values, first, scale)
        try {
          return compressAt(first, encrypt(pt))
        } finally {
          pt.delete()
        }
      }),
  }
}
