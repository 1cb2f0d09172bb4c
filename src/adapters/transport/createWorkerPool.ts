import type { Worker } from 'node:worker_threads'
import { MsflError } from '../../core/errors/msflError.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import { startWorker } from './startWorker.ts'

/**
 * What a pool worker posts back. A worker script answers `{ kind: 'init', payload }`
 * with `ready` (or `failed`), and each `{ kind: 'call', id, participant, message }`
 * with `reply` carrying the same id.
 */
type WorkerOutbound =
  | { readonly kind: 'ready' }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'reply'; readonly id: number; readonly reply: unknown }

/** How a worker pool is started: its script, its participants and how many workers. */
export interface WorkerPoolParameters {
  /** The worker module (an ES module URL; `.ts` modules start as `startWorker` says). */
  readonly entry: URL
  /** Participants, dealt round-robin over the workers. */
  readonly participants: readonly string[]
  readonly workers: number
  /** What worker `index` is initialised with, given the participants it holds. */
  init(index: number, participants: readonly string[]): unknown
}

/** A started pool: one handler per participant, and the way to stop every worker. */
export interface WorkerPool {
  /** Each participant's handler; a call rejects when its worker errored or exited. */
  readonly handlers: ReadonlyMap<string, MessageHandler>
  /** Terminates every worker. */
  dispose(): Promise<void>
}

/**
 * Participants spread over worker threads, each reached through a MessageHandler.
 * A worker that errors or exits rejects every call pending on it at once, and every
 * later call, with an MsflError('TRANSPORT') naming the worker and why it ended, so
 * a crash becomes a failed request for the round driver, never a hang.
 */
export async function createWorkerPool(p: WorkerPoolParameters): Promise<WorkerPool> {
  const count = Math.max(1, Math.min(p.workers, p.participants.length))
  const slots = Array.from({ length: count }, (_, index) => startSlot(p, index, count))
  try {
    await Promise.all(slots.map((s) => s.ready))
  } catch (error) {
    await Promise.all(slots.map((s) => s.worker.terminate()))
    throw error
  }
  return {
    handlers: new Map(
      p.participants.map((participant, i) => [
        participant,
        { handle: (message: unknown) => slots[i % count]!.call(participant, message) },
      ]),
    ),
    async dispose() {
      for (const slot of slots) slot.disposing = true
      await Promise.all(slots.map((s) => s.worker.terminate()))
    },
  }
}

interface Slot {
  readonly worker: Worker
  readonly ready: Promise<void>
  call(participant: string, message: unknown): Promise<unknown>
  disposing: boolean
}

function startSlot(p: WorkerPoolParameters, index: number, count: number): Slot {
  const worker = startWorker(p.entry)
  const pending = new Map<number, { resolve(reply: unknown): void; reject(e: Error): void }>()
  let nextId = 0
  let ended: MsflError | undefined
  let settleReady: { resolve(): void; reject(e: Error): void } | undefined
  const ready = new Promise<void>((resolve, reject) => {
    settleReady = { resolve, reject }
  })
  const end = (reason: string) => {
    if (ended) return
    ended = new MsflError('TRANSPORT', `worker ${index} ${reason}`)
    settleReady?.reject(ended)
    for (const call of pending.values()) call.reject(ended)
    pending.clear()
  }
  worker.on('message', (m: WorkerOutbound) => {
    if (m.kind === 'ready') settleReady?.resolve()
    else if (m.kind === 'failed') end(`failed to start: ${m.error}`)
    else {
      pending.get(m.id)?.resolve(m.reply)
      pending.delete(m.id)
    }
  })
  worker.on('error', (error: unknown) =>
    end(`crashed: ${error instanceof Error ? error.message : String(error)}`),
  )
  worker.on('exit', (code) => {
    if (!slot.disposing || pending.size > 0) end(`exited with code ${code}`)
  })
  worker.on('messageerror', (error) => end(`sent a message that cannot be read: ${String(error)}`))
  const participants = p.participants.filter((_, i) => i % count === index)
  worker.postMessage({ kind: 'init', payload: p.init(index, participants) })
  const slot: Slot = {
    worker,
    ready,
    disposing: false,
    call(participant, message) {
      if (ended) return Promise.reject(ended)
      return new Promise((resolve, reject) => {
        const id = nextId++
        pending.set(id, { resolve, reject })
        worker.postMessage({ kind: 'call', id, participant, message })
      })
    },
  }
  return slot
}
