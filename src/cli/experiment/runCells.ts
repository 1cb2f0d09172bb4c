import { startWorker } from '../../adapters/transport/index.ts'
import type { CellResult } from '../../core/experiment/cellResult.ts'
import type { ExperimentCell } from '../../runtime/config/experimentMatrix.ts'
import { runCellInProcess } from './runCellInProcess.ts'

/**
 * Runs experiment cells on `workers` threads (each a full simulation: the work is
 * CPU-bound and independent, so threads scale with cores). One worker means in
 * process, which keeps stack traces simple. Results come back in cell order.
 */
export async function runCells(
  cells: readonly ExperimentCell[],
  workers: number,
  onResult: (result: CellResult, done: number) => void,
): Promise<CellResult[]> {
  const results: CellResult[] = new Array(cells.length)
  let done = 0
  const finish = (result: CellResult) => {
    results[result.index] = result
    done += 1
    onResult(result, done)
  }
  if (workers <= 1) {
    for (const cell of cells) finish(await runCellInProcess(cell))
    return results
  }
  const queue = [...cells]
  const pool = Array.from({ length: Math.min(workers, cells.length) }, () =>
    startWorker(new URL('./cellWorker.ts', import.meta.url)),
  )
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const next = () => {
              const cell = queue.shift()
              if (!cell) return resolve()
              worker.postMessage(cell)
            }
            worker.on(
              'message',
              (
                message:
                  | { ok: true; result: CellResult }
                  | { ok: false; index: number; error: string },
              ) => {
                if (!message.ok)
                  return reject(
                    new Error(`experiment cell ${message.index} crashed: ${message.error}`),
                  )
                finish(message.result)
                next()
              },
            )
            worker.on('error', reject)
            next()
          }),
      ),
    )
  } finally {
    await Promise.all(pool.map((w) => w.terminate()))
  }
  return results
}
