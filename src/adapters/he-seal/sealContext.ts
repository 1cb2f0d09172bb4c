import { MsflError } from '../../core/errors/msflError.ts'
import type { HeParameters } from '../../core/ports/he.ts'
import type {
  SealEncoder as CKKSEncoder,
  SealContextObject as Context,
  SealContextData as ContextData,
  SealEvaluatorObject as Evaluator,
  SealParmsId as ParmsIdType,
  SealLibrary,
} from './loadSeal.ts'

/** One element of SEAL's modulus-switching chain. */
export interface SealLevel {
  /** SEAL's chain index: 0 is the last data level, `depth` the first, `depth + 1` the key level. */
  readonly chainIndex: number
  /** Hex of the parms_id, for comparisons and maps. */
  readonly key: string
  /** The 32 bytes of the parms_id as SEAL serialises them. */
  readonly idBytes: Uint8Array
  /** A SEAL parms_id object, for modulus switching to this level. */
  readonly parmsId: ParmsIdType
  /** The coefficient-modulus primes of this level, first to last. */
  readonly primes: readonly bigint[]
}

export interface SealContext {
  readonly seal: SealLibrary
  readonly parameters: HeParameters
  readonly context: Context
  readonly encoder: CKKSEncoder
  readonly evaluator: Evaluator
  /** Levels holding data, indexed by chain index (0 = last). */
  readonly dataLevels: readonly SealLevel[]
  /** The key level (all primes, including the special prime). */
  readonly keyLevel: SealLevel
  levelOf(parmsId: ParmsIdType): SealLevel | undefined
  delete(): void
}

/** Builds the SEAL context of a preset and checks SEAL agrees with the preset's description. */
export function createSealContext(seal: SealLibrary, parameters: HeParameters): SealContext {
  const n = parameters.polyModulusDegree
  const parms = seal.EncryptionParameters(seal.SchemeType.ckks)
  const moduli = seal.CoeffModulus.Create(n, Int32Array.from(parameters.coeffModulusBits))
  parms.setPolyModulusDegree(n)
  parms.setCoeffModulus(moduli)
  moduli.delete()
  const context = seal.Context(parms, true, seal.SecurityLevel.tc128)
  parms.delete()
  if (!context.parametersSet()) {
    context.delete()
    throw new MsflError(
      'CONFIG_INVALID',
      `preset ${parameters.preset}: SEAL rejects the parameters`,
    )
  }

  const levels: SealLevel[] = []
  let data: ContextData = context.keyContextData
  for (;;) {
    levels.push(describeLevel(data))
    if (data.chainIndex === 0) break
    const next = data.nextContextData
    data.delete()
    data = next
  }
  data.delete()
  const keyLevel = levels[0]!
  const dataLevels = levels.slice(1).reverse()
  if (
    dataLevels.length !== parameters.depth + 1 ||
    keyLevel.primes.length !== parameters.coeffModulusBits.length
  ) {
    for (const level of levels) level.parmsId.delete()
    context.delete()
    throw new MsflError(
      'CONFIG_INVALID',
      `preset ${parameters.preset}: SEAL built ${dataLevels.length} data levels, expected ${parameters.depth + 1}`,
    )
  }
  const byKey = new Map(levels.map((level) => [level.key, level]))
  const encoder = seal.CKKSEncoder(context)
  const evaluator = seal.Evaluator(context)

  return {
    seal,
    parameters,
    context,
    encoder,
    evaluator,
    dataLevels,
    keyLevel,
    levelOf(parmsId) {
      return byKey.get(parmsIdKey(parmsId.values))
    },
    delete() {
      for (const level of levels) level.parmsId.delete()
      evaluator.delete()
      encoder.delete()
      context.delete()
    },
  }
}

function describeLevel(data: ContextData): SealLevel {
  const parmsId = data.parmsId
  const values = parmsId.values
  const parms = data.parms
  const primes = [...parms.coeffModulus]
  parms.delete()
  const idBytes = new Uint8Array(32)
  const view = new DataView(idBytes.buffer)
  for (const [i, v] of values.entries()) view.setBigUint64(8 * i, v, true)
  return { chainIndex: data.chainIndex, key: parmsIdKey(values), idBytes, parmsId, primes }
}

/** The map key of a parms_id given as its four 64-bit words. */
export function parmsIdKey(values: ArrayLike<bigint>): string {
  let key = ''
  for (let i = 0; i < values.length; i++) key += values[i]!.toString(16).padStart(16, '0')
  return key
}
