import { parentPort } from 'node:worker_threads'
import type { ExperimentCell } from '../../runtime/config/experimentMatrix.ts'
import { runCellInProcess } from './runCellInProcess.ts'

// A worker thread of `msfl experiment`: runs the cells it is sent, one at a time.
parentPort!.on('message', async (cell: ExperimentCell) => {
  try {
    parentPort!.postMessage({ ok: true, result: await runCellInProcess(cell) })
  } catch (error) {
    parentPort!.postMessage({
      ok: false,
      index: cell.index,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    })
  }
})
