/**
 * The random adapter's public surface: the operating system's CSPRNG behind the Rng port.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export { createCsprng } from './createCsprng.ts'
