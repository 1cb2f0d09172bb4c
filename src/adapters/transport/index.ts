/**
 * The transport adapter's public surface: transports: in-memory (with the wire codec) and the worker-thread pool.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export type { MemoryTransportParameters } from './createMemoryTransport.ts'
export { createMemoryTransport } from './createMemoryTransport.ts'
export type { WorkerPool, WorkerPoolParameters } from './createWorkerPool.ts'
export { createWorkerPool } from './createWorkerPool.ts'
export { settleWithin } from './settleWithin.ts'
export { startWorker } from './startWorker.ts'
