import { MsflError } from '../../core/errors/msflError.ts'
import type { RequestOptions } from '../../core/ports/transport.ts'

/**
 * `pending`, or MsflError('DEADLINE') once `options.deadlineMs` has passed or
 * `options.signal` aborted, whichever comes first. The work behind `pending` is not
 * stopped (a peer cannot be forced to stop computing); its late answer is dropped.
 */
export function settleWithin<T>(
  pending: Promise<T>,
  options: RequestOptions,
  to: string,
): Promise<T> {
  const { deadlineMs, signal } = options
  if (!(deadlineMs > 0) || !Number.isFinite(deadlineMs))
    return Promise.reject(
      new MsflError('CONFIG_INVALID', `deadlineMs must be a positive number, got ${deadlineMs}`),
    )
  if (signal?.aborted) return Promise.reject(abortedError(to))
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        finish(() => reject(new MsflError('DEADLINE', `${to}: no reply within ${deadlineMs} ms`))),
      deadlineMs,
    )
    const onAbort = () => finish(() => reject(abortedError(to)))
    signal?.addEventListener('abort', onAbort, { once: true })
    let done = false
    function finish(settle: () => void): void {
      if (done) return
      done = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      settle()
    }
    pending.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    )
  })
}

function abortedError(to: string): MsflError {
  return new MsflError('DEADLINE', `${to}: request abandoned by the caller`)
}
