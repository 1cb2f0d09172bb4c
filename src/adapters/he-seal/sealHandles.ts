import { MsflError } from '../../core/errors/msflError.ts'
import type { HeCiphertext } from '../../core/ports/he.ts'
import type { SealCiphertext } from './loadSeal.ts'
import type { SealLevel } from './sealContext.ts'

/** What a handle points to: the SEAL ciphertext (until released) and its level. */
export interface HandleEntry {
  ct: SealCiphertext | undefined
  readonly level: SealLevel
}

/** The opaque object callers hold; it carries nothing, the registry maps it to SEAL memory. */
class SealCiphertextHandle {
  toString(): string {
    return '[HeCiphertext]'
  }
}

/**
 * Ownership of SEAL ciphertexts (WebAssembly memory the garbage collector does not
 * see): every ciphertext lives in this registry until released, scopes release what
 * they created and did not return, and a released or foreign handle is an error.
 */
export class HandleRegistry {
  private readonly entries = new WeakMap<object, HandleEntry>()
  private readonly live = new Set<SealCiphertextHandle>()
  private readonly scopes: Set<SealCiphertextHandle>[] = []
  private disposed = false

  /** Takes ownership of a SEAL ciphertext and returns its handle. */
  wrap(ct: SealCiphertext, level: SealLevel): HeCiphertext {
    if (this.disposed) {
      ct.delete()
      throw new MsflError('PROTOCOL', 'the HE evaluator was disposed')
    }
    const handle = new SealCiphertextHandle()
    this.entries.set(handle, { ct, level })
    this.live.add(handle)
    this.scopes.at(-1)?.add(handle)
    return handle as unknown as HeCiphertext
  }

  /** The entry of a live handle; `op` names the operation in errors. */
  get(handle: HeCiphertext, op: string): HandleEntry & { ct: SealCiphertext } {
    if (this.disposed) throw new MsflError('PROTOCOL', `${op}: the HE evaluator was disposed`)
    const entry = this.entries.get(handle as object)
    if (!entry) throw new MsflError('PROTOCOL', `${op}: not a ciphertext of this HE evaluator`)
    if (!entry.ct) throw new MsflError('PROTOCOL', `${op}: ciphertext was released`)
    return entry as HandleEntry & { ct: SealCiphertext }
  }

  /** Deletes the SEAL object; releasing twice (or after dispose) does nothing. */
  release(handle: HeCiphertext): void {
    const entry = this.entries.get(handle as object)
    if (!entry) {
      if (this.disposed) return
      throw new MsflError('PROTOCOL', 'release: not a ciphertext of this HE evaluator')
    }
    entry.ct?.delete()
    entry.ct = undefined
    this.live.delete(handle as SealCiphertextHandle)
  }

  get liveCount(): number {
    return this.live.size
  }

  scope<T>(fn: () => T): T {
    const created = new Set<SealCiphertextHandle>()
    this.scopes.push(created)
    let result: T
    try {
      result = fn()
    } catch (error) {
      this.scopes.pop()
      for (const handle of created) this.release(handle as unknown as HeCiphertext)
      throw error
    }
    this.scopes.pop()
    if (isThenable(result)) {
      for (const handle of created) this.release(handle as unknown as HeCiphertext)
      throw new MsflError(
        'PROTOCOL',
        'scope: the callback must be synchronous (it returned a promise)',
      )
    }
    const kept = this.reachable(result)
    const parent = this.scopes.at(-1)
    for (const handle of created) {
      if (kept.has(handle)) parent?.add(handle)
      else this.release(handle as unknown as HeCiphertext)
    }
    return result
  }

  /** Releases everything; later use of any handle is an error. */
  dispose(): void {
    for (const handle of [...this.live]) this.release(handle as unknown as HeCiphertext)
    this.disposed = true
  }

  /** Handles reachable from a value through arrays and plain objects. */
  private reachable(value: unknown): Set<SealCiphertextHandle> {
    const found = new Set<SealCiphertextHandle>()
    const seen = new Set<object>()
    const visit = (v: unknown): void => {
      if (typeof v !== 'object' || v === null || seen.has(v)) return
      seen.add(v)
      if (v instanceof SealCiphertextHandle) {
        found.add(v)
        return
      }
      if (Array.isArray(v)) {
        for (const item of v) visit(item)
        return
      }
      const proto = Object.getPrototypeOf(v)
      if (proto === Object.prototype || proto === null)
        for (const item of Object.values(v as Record<string, unknown>)) visit(item)
    }
    visit(value)
    return found
  }
}

function isThenable(value: unknown): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
