import sealModule from 'node-seal'
import { MsflError } from '../../core/errors/msflError.ts'

// node-seal ships a UMD bundle typed as an ES module: at run time the default import
// is the factory itself, while TypeScript (NodeNext) sees a namespace holding `default`.
type SealFactory = (typeof sealModule)['default']
const factory: SealFactory =
  typeof (sealModule as unknown) === 'function'
    ? (sealModule as unknown as SealFactory)
    : sealModule.default

/** The node-seal API (constructors and enums of SEAL 4.1.2). */
export type SealLibrary = Awaited<ReturnType<SealFactory>>
// The object types of that API (node-seal declares them in files it does not export).
export type SealCiphertext = ReturnType<SealLibrary['CipherText']>
export type SealPlaintext = ReturnType<SealLibrary['PlainText']>
export type SealContextObject = ReturnType<SealLibrary['Context']>
export type SealContextData = ReturnType<SealLibrary['ContextData']>
export type SealParmsId = ReturnType<SealLibrary['ParmsIdType']>
export type SealEncoder = ReturnType<SealLibrary['CKKSEncoder']>
export type SealEvaluatorObject = ReturnType<SealLibrary['Evaluator']>
export type SealEncryptor = ReturnType<SealLibrary['Encryptor']>
export type SealDecryptor = ReturnType<SealLibrary['Decryptor']>
export type SealPublicKey = ReturnType<SealLibrary['PublicKey']>
export type SealRelinKeys = ReturnType<SealLibrary['RelinKeys']>
export type SealGaloisKeys = ReturnType<SealLibrary['GaloisKeys']>
export type SealSecretKey = ReturnType<SealLibrary['SecretKey']>

/**
 * The SEAL serialization version this build writes and the only one `load` accepts.
 * node-seal 6.0.3 bundles SEAL 4.1.2 (headers say 4.1); a dependency upgrade that
 * changes it must be a conscious decision, because the untrusted-input checks in
 * this folder were written against exactly this format.
 */
export const SEAL_VERSION = { major: 4, minor: 1 } as const

let pending: Promise<SealLibrary> | undefined

/**
 * The process-wide SEAL instance. Instantiating the WebAssembly module costs tens of
 * milliseconds and a heap of its own, so every requestor and evaluator shares one.
 */
export function loadSeal(): Promise<SealLibrary> {
  pending ??= instantiate()
  return pending
}

async function instantiate(): Promise<SealLibrary> {
  const seal = await factory()
  // Check the serialization version once, on an object that costs nothing to save.
  const parms = seal.EncryptionParameters(seal.SchemeType.ckks)
  try {
    const header = parms.saveArray(seal.ComprModeType.none)
    if (header[3] !== SEAL_VERSION.major || header[4] !== SEAL_VERSION.minor)
      throw new MsflError(
        'CONFIG_INVALID',
        `node-seal writes SEAL ${header[3]}.${header[4]} serializations; this adapter is written for ${SEAL_VERSION.major}.${SEAL_VERSION.minor}`,
      )
  } finally {
    parms.delete()
  }
  return seal
}
