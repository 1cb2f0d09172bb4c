import { MsflError } from '../../core/errors/msflError.ts'
import type { SealLevel } from './sealContext.ts'
import { ComprMode, SEAL_HEADER_BYTES, validateSealHeader } from './validateSealHeader.ts'

/**
 * The byte layout of the SEAL 4.1 objects msfl exchanges, checked field by field
 * BEFORE SEAL parses them, with every count bounded by the parameters. SEAL 4.1.2
 * trusts some counts it reads (e.g. it reserves memory for a key-switching key's
 * declared dimensions before reading them); here nothing is trusted.
 *
 * Ciphertext (also the body of every public key):
 *   header | parms_id (32) | is_ntt_form (1) | size u64 | poly_modulus_degree u64 |
 *   coeff_modulus_size u64 | scale f64 | correction_factor u64 |
 *   data: header | count u64 | count × u64 | [seed object when count is one polynomial]
 * Key-switching keys (relinearisation and Galois keys):
 *   header | parms_id (32) | rows u64 | per row: keys u64, then that many public keys
 */

/** Metadata bytes of a ciphertext body after its header (parms_id … correction factor). */
const CIPHERTEXT_META_BYTES = 32 + 1 + 8 + 8 + 8 + 8 + 8
/** A data array's nested header and its count. */
const DATA_ARRAY_PREFIX_BYTES = SEAL_HEADER_BYTES + 8
/** A PRNG seed object: header, PRNG type byte, 512-bit seed. */
const SEED_OBJECT_BYTES = SEAL_HEADER_BYTES + 1 + 64

export interface LayoutContext {
  readonly polyModulusDegree: number
  readonly dataLevels: readonly SealLevel[]
  readonly keyLevel: SealLevel
  readonly scale: number
}

/** Exact size of a serialised ciphertext of two polynomials with `primes` primes. */
export function ciphertextBytes(n: number, primes: number): number {
  return SEAL_HEADER_BYTES + CIPHERTEXT_META_BYTES + DATA_ARRAY_PREFIX_BYTES + 2 * n * primes * 8
}

/** The largest serialised public key (unseeded) at the key level. */
export function publicKeyBytes(ctx: LayoutContext): number {
  return ciphertextBytes(ctx.polyModulusDegree, ctx.keyLevel.primes.length) + SEED_OBJECT_BYTES
}

/** The largest serialised key-switching key set holding `keys` keys. */
export function kswitchKeysBytes(ctx: LayoutContext, keys: number): number {
  const decomposition = ctx.keyLevel.primes.length - 1
  return (
    SEAL_HEADER_BYTES +
    32 +
    8 +
    8 * ctx.polyModulusDegree +
    keys * decomposition * publicKeyBytes(ctx)
  )
}

class Reader {
  private readonly view: DataView
  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
    public offset: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  fail(problem: string): never {
    throw new MsflError('CODEC', `${this.what}: ${problem}`)
  }
  need(count: number, field: string): void {
    if (this.offset + count > this.bytes.length) this.fail(`truncated in ${field}`)
  }
  u8(field: string): number {
    this.need(1, field)
    return this.view.getUint8(this.offset++)
  }
  f64(field: string): number {
    this.need(8, field)
    const value = this.view.getFloat64(this.offset, true)
    this.offset += 8
    return value
  }
  /** A uint64 that must not exceed `max` (itself ≤ 2^53). */
  count(field: string, max: number): number {
    this.need(8, field)
    const value = this.view.getBigUint64(this.offset, true)
    this.offset += 8
    if (value > BigInt(max)) this.fail(`${field} ${value} exceeds ${max}`)
    return Number(value)
  }
  take(count: number, field: string): Uint8Array {
    this.need(count, field)
    const out = this.bytes.subarray(this.offset, this.offset + count)
    this.offset += count
    return out
  }
  /** Checks coefficients in RNS layout are reduced: each value below its prime. */
  reducedCoefficients(polys: number, n: number, primes: readonly bigint[]): void {
    const words = polys * primes.length * n
    this.need(words * 8, 'coefficients')
    let at = this.offset
    for (let p = 0; p < polys; p++)
      for (const prime of primes) {
        const high = Number(prime >> 32n)
        const low = Number(prime & 0xffffffffn)
        for (let i = 0; i < n; i++, at += 8) {
          const lo = this.view.getUint32(at, true)
          const hi = this.view.getUint32(at + 4, true)
          if (hi > high || (hi === high && lo >= low))
            this.fail('coefficient not reduced modulo its prime')
        }
      }
    this.offset = at
  }
}

interface BodyExpectation {
  /** Allowed levels; the parms_id must be one of them. */
  readonly levels: ReadonlyMap<string, SealLevel>
  readonly scale: number
  readonly seeded: boolean
}

/**
 * Reads one ciphertext-shaped object (header + body) at the reader's offset and
 * returns its level; everything must match the context exactly.
 */
function readCiphertextObject(r: Reader, ctx: LayoutContext, expect: BodyExpectation): SealLevel {
  const start = r.offset
  const header = validateSealHeader(
    r.bytes,
    { what: r.what, maxBytes: publicKeyBytes(ctx), compression: [ComprMode.none], exact: false },
    start,
  )
  r.offset += SEAL_HEADER_BYTES
  const end = start + header.size
  const idBytes = r.take(32, 'parms_id')
  let key = ''
  for (let w = 0; w < 4; w++) {
    const word = new DataView(idBytes.buffer, idBytes.byteOffset + 8 * w, 8).getBigUint64(0, true)
    key += word.toString(16).padStart(16, '0')
  }
  const level = expect.levels.get(key)
  if (!level) r.fail('parms_id does not belong to these encryption parameters')
  if (r.u8('is_ntt_form') !== 1) r.fail('not in NTT form')
  if (r.count('size', 16) !== 2) r.fail('must have exactly 2 polynomials')
  const n = ctx.polyModulusDegree
  if (r.count('poly_modulus_degree', 2 ** 20) !== n) r.fail('poly modulus degree mismatch')
  if (r.count('coeff_modulus_size', 64) !== level.primes.length)
    r.fail('coefficient modulus size does not match its parms_id')
  const scale = r.f64('scale')
  if (scale !== expect.scale) r.fail(`scale ${scale} (expected ${expect.scale})`)
  if (r.count('correction_factor', 2 ** 32) !== 1) r.fail('correction factor must be 1 for CKKS')

  const full = 2 * n * level.primes.length
  const arrayStart = r.offset
  const arrayHeader = validateSealHeader(
    r.bytes,
    {
      what: `${r.what} data`,
      maxBytes: DATA_ARRAY_PREFIX_BYTES + full * 8,
      compression: [ComprMode.none],
      exact: false,
    },
    arrayStart,
  )
  r.offset += SEAL_HEADER_BYTES
  const count = r.count('data count', full)
  const seeded = count === full / 2
  if (count !== full && !(seeded && expect.seeded))
    r.fail(`data holds ${count} coefficients (expected ${full})`)
  if (arrayHeader.size !== DATA_ARRAY_PREFIX_BYTES + count * 8) r.fail('data array size mismatch')
  r.reducedCoefficients(seeded ? 1 : 2, n, level.primes)
  if (seeded) {
    const seedHeader = validateSealHeader(
      r.bytes,
      {
        what: `${r.what} seed`,
        maxBytes: SEED_OBJECT_BYTES,
        compression: [ComprMode.none],
        exact: false,
      },
      r.offset,
    )
    if (seedHeader.size !== SEED_OBJECT_BYTES) r.fail('seed object size mismatch')
    r.offset += SEAL_HEADER_BYTES
    const prng = r.u8('prng type')
    if (prng !== 1 && prng !== 2) r.fail(`unknown PRNG type ${prng}`)
    r.take(64, 'seed')
  }
  if (r.offset !== end) r.fail('declared size does not match its contents')
  return level
}

function levelMap(levels: readonly SealLevel[]): Map<string, SealLevel> {
  return new Map(levels.map((level) => [level.key, level]))
}

/**
 * Checks an uncompressed serialised ciphertext completely and returns its level:
 * a data level of these parameters, two polynomials, NTT form, the expected scale,
 * reduced coefficients, nothing appended. A seeded ciphertext (secret-key encryption,
 * its second polynomial replaced by the 512-bit seed SEAL expands it from) is accepted:
 * it is the requestor's fresh encryption of the model, half the bytes of a public-key one.
 */
export function checkCiphertextLayout(bytes: Uint8Array, ctx: LayoutContext): SealLevel {
  const r = new Reader(bytes, 'ciphertext', 0)
  const level = readCiphertextObject(r, ctx, {
    levels: levelMap(ctx.dataLevels),
    scale: ctx.scale,
    seeded: true,
  })
  if (r.offset !== bytes.length) r.fail('trailing bytes')
  return level
}

/** Checks an uncompressed serialised public key (possibly seeded) at the key level. */
export function checkPublicKeyLayout(bytes: Uint8Array, ctx: LayoutContext): void {
  const r = new Reader(bytes, 'public key', 0)
  readCiphertextObject(r, ctx, { levels: levelMap([ctx.keyLevel]), scale: 1, seeded: true })
  if (r.offset !== bytes.length) r.fail('trailing bytes')
}

/**
 * Checks uncompressed serialised relinearisation or Galois keys: the key level's
 * parms_id, at most N rows, each row empty or holding exactly one key per data prime
 * (SEAL's decomposition), exactly `keys` non-empty rows, every key well formed.
 * Returns the indices of the non-empty rows.
 */
export function checkKSwitchKeysLayout(
  bytes: Uint8Array,
  ctx: LayoutContext,
  what: string,
  keys: number,
): number[] {
  const r = new Reader(bytes, what, SEAL_HEADER_BYTES)
  const id = r.take(32, 'parms_id')
  if (!id.every((b, i) => b === ctx.keyLevel.idBytes[i]))
    r.fail('parms_id is not the key level of these encryption parameters')
  const rows = r.count('rows', ctx.polyModulusDegree)
  const decomposition = ctx.keyLevel.primes.length - 1
  const keyLevels = levelMap([ctx.keyLevel])
  const present: number[] = []
  for (let row = 0; row < rows; row++) {
    const inRow = r.count('keys in row', decomposition)
    if (inRow === 0) continue
    if (inRow !== decomposition)
      r.fail(`row ${row} holds ${inRow} keys (expected ${decomposition})`)
    if (present.length === keys) r.fail(`more than ${keys} keys`)
    present.push(row)
    for (let k = 0; k < inRow; k++)
      readCiphertextObject(r, ctx, { levels: keyLevels, scale: 1, seeded: true })
  }
  if (present.length !== keys) r.fail(`${present.length} keys (expected ${keys})`)
  if (r.offset !== bytes.length) r.fail('trailing bytes')
  return present
}
