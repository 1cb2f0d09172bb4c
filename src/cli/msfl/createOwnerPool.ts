import { Worker } from 'node:worker_threads'
import { MsflError } from '../../core/errors/msflError.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import type { MsflOwners, MsflOwnersSpec } from '../../runtime/msflOwners.ts'

/**
 * Data owners spread over `threads` worker threads, so their encrypted gradients are
 * computed in parallel. Owners are dealt round-robin; each worker loads the public
 * material once. Messages reach a worker after the transport's codec round trip, so
 * what crosses the thread boundary is what would cross the network.
 */
export async function createOwnerPool(spec: MsflOwnersSpec, threads: number): Promise<MsflOwners> {
  const count = Math.max(1, Math.min(threads, spec.owners.length))
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL('./ownerWorkerEntry.mjs', import.meta.url)),
  )
  const pending = new Map<number, (reply: unknown) => void>()
  let nextId = 0
  try {
    await Promise.all(
      workers.map(
        (worker, w) =>
          new Promise<void>((resolve, reject) => {
            worker.on('error', reject)
            worker.on(
              'message',
              (m: { kind: string; id?: number; reply?: unknown; error?: string }) => {
                if (m.kind === 'ready') resolve()
                else if (m.kind === 'failed')
                  reject(new MsflError('PROTOCOL', `owner worker ${w}: ${m.error}`))
                else if (m.kind === 'reply') {
                  pending.get(m.id!)?.(m.reply)
                  pending.delete(m.id!)
                }
              },
            )
            worker.postMessage({
              kind: 'init',
              spec: { ...spec, owners: spec.owners.filter((_, i) => i % count === w) },
            })
          }),
      ),
    )
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()))
    throw error
  }
  const handlers = new Map<string, MessageHandler>(
    spec.owners.map((owner, i) => [
      owner.clientId,
      {
        handle: (message: unknown) =>
          new Promise<unknown>((resolve) => {
            const id = nextId++
            pending.set(id, resolve)
            workers[i % count]!.postMessage({ kind: 'call', id, clientId: owner.clientId, message })
          }),
      },
    ]),
  )
  return {
    handlers,
    dispose: async () => {
      await Promise.all(workers.map((w) => w.terminate()))
    },
  }
}
