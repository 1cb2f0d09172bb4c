/**
 * The he-seal adapter's public surface: CKKS homomorphic encryption on Microsoft SEAL (node-seal): key holder, evaluators, public material.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export { createCkksEvaluator } from './createCkksEvaluator.ts'
export type { CkksRequestor } from './createCkksRequestor.ts'
export { createCkksRequestor } from './createCkksRequestor.ts'
export type { SealEvaluator } from './createSealEvaluator.ts'
export { generateKeyMaterial } from './generateKeyMaterial.ts'
export type { SealLibrary } from './loadSeal.ts'
export { loadSeal } from './loadSeal.ts'
export { encodePublicMaterial, openPublicMaterial } from './openPublicMaterial.ts'
export { HE_PRESETS, heStandardMaxBits, resolvePreset } from './presets.ts'
export { inflateSealObject } from './sealCompression.ts'
export type { SealContext } from './sealContext.ts'
export { createSealContext } from './sealContext.ts'
export { kswitchKeysBytes } from './sealObjectLayout.ts'
export { validateSealHeader } from './validateSealHeader.ts'
