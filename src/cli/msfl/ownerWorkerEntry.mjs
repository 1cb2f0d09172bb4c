// Worker threads do not inherit tsx's loader when msfl runs through bin/msfl.js,
// so each worker registers it before loading the TypeScript worker.
import { register } from 'tsx/esm/api'

register()
await import('./ownerWorker.ts')
