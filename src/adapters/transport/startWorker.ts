import { Worker } from 'node:worker_threads'

const TYPESCRIPT_ENTRY = new URL('./typeScriptWorkerEntry.mjs', import.meta.url)

/**
 * Starts a worker thread on an ES module. A `.ts` module starts through one shared entry
 * that loads its compiled `.js` sibling from the build, or the TypeScript source through
 * tsx when msfl runs from its sources; `.js` and `.mjs` modules start as they are.
 */
export function startWorker(module: URL): Worker {
  return module.pathname.endsWith('.ts')
    ? new Worker(TYPESCRIPT_ENTRY, { workerData: { module: module.href } })
    : new Worker(module)
}
