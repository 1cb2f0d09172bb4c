// The entry of every worker thread whose module is TypeScript (see startWorker.ts).
// Worker threads do not inherit tsx's loader: from the sources (npm start, tests) the
// worker registers it first; from the build, where tsc emitted the module as .js next
// to this file's copy in dist/, plain JavaScript loads without tsx.
import { existsSync } from 'node:fs'
import { workerData } from 'node:worker_threads'

const source = new URL(workerData.module)
const compiled = new URL(source.href.replace(/\.ts$/, '.js'))
if (existsSync(compiled)) {
  await import(compiled.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(source.href)
}
