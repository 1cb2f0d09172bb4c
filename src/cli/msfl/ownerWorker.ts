import { parentPort } from 'node:worker_threads'
import { createCkksEvaluator } from '../../adapters/he-seal/index.ts'
import { createCsprng } from '../../adapters/random/index.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import { createOwnersWith, type MsflOwnersSpec } from '../../runtime/msflOwners.ts'

// A worker thread holding some of the data owners of an MS-FL simulation: its own
// SEAL instance and evaluator from public material, the owners' data, and nothing else.
type Inbound =
  | { kind: 'init'; payload: MsflOwnersSpec }
  | { kind: 'call'; id: number; participant: string; message: unknown }

let handlers: Map<string, MessageHandler> | undefined
let dispose: (() => void) | undefined

parentPort!.on('message', async (m: Inbound) => {
  if (m.kind === 'init') {
    try {
      const he = await createCkksEvaluator(m.payload.publicMaterial)
      dispose = () => he.dispose()
      handlers = createOwnersWith(m.payload, he, createCsprng)
      parentPort!.postMessage({ kind: 'ready' })
    } catch (error) {
      parentPort!.postMessage({
        kind: 'failed',
        error: error instanceof Error ? error.message : String(error),
      })
    }
    return
  }
  const handler = handlers?.get(m.participant)
  try {
    if (!handler) throw new Error(`worker has no data owner ${m.participant}`)
    parentPort!.postMessage({ kind: 'reply', id: m.id, reply: await handler.handle(m.message) })
  } catch (error) {
    parentPort!.postMessage({
      kind: 'reply',
      id: m.id,
      reply: {
        type: 'error',
        clientId: m.participant,
        message: error instanceof Error ? error.message : String(error),
      },
    })
  }
})

process.on('exit', () => dispose?.())
