// Worker threads do not inherit tsx's loader. From the TypeScript sources (npm start,
// tests) the worker registers it first; the build copies this file next to the
// compiled worker in dist/, where plain JavaScript loads without tsx.
import { existsSync } from 'node:fs'

const compiled = new URL('./ownerWorker.js', import.meta.url)
if (existsSync(compiled)) {
  await import(compiled.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('./ownerWorker.ts')
}
