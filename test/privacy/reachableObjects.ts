import { Session } from 'node:inspector'

/** One object the walk reached: its class and its own property names. */
export interface ReachedObject {
  readonly className: string
  readonly properties: readonly string[]
}

/**
 * Every object reachable from `root` as the code holding `root` could reach it: own
 * properties (data and accessors), private fields, Map/Set entries, bound functions and
 * the captured variables of every closure whose code lies under `codeRoot` (V8's
 * [[Scopes]], read through the inspector). Not followed: the Global scope (globalThis is
 * everyone's), prototypes (shared class code, not instance data) and the closures of
 * code outside `codeRoot` (Node's internals and libraries: their objects' properties are
 * walked, what their functions capture is not). Throws when more than `limit` objects
 * are reachable, so a walk never silently stops short.
 */
export function reachableObjects(
  root: unknown,
  options: {
    /** URL prefix of the code whose closures are followed (the project's src/). */
    readonly codeRoot: string
    /** Objects to look for: the result counts how many of them the walk reached. */
    readonly forbidden?: readonly object[]
    /** Reached objects to hand back by reference (e.g. to forbid them in another walk). */
    readonly pick?: (object: ReachedObject) => boolean
    readonly limit?: number
  },
): { objects: ReachedObject[]; picked: object[]; forbiddenReached: number } {
  const { codeRoot, limit = 50_000 } = options
  const session = new Session()
  session.connect()
  const scripts = new Map<string, string>()
  session.on('Debugger.scriptParsed', ({ params }) => scripts.set(params.scriptId, params.url))
  const holder = globalThis as {
    __reachRoot?: unknown
    __reachSeen?: WeakSet<object>
    __reachForbidden?: WeakSet<object>
    __reachPicked?: object[]
  }
  holder.__reachRoot = root
  holder.__reachSeen = new WeakSet()
  holder.__reachForbidden = new WeakSet(options.forbidden ?? [])
  holder.__reachPicked = []
  let forbiddenReached = 0
  // In-process inspector sessions answer synchronously.
  const post = <T>(method: string, params: object): T => {
    let reply: { error: Error | null; result?: T } | undefined
    session.post(method, params, (error, result) => {
      reply = { error, result: result as T }
    })
    if (!reply) throw new Error(`${method}: the inspector did not answer synchronously`)
    if (reply.error) throw reply.error
    return reply.result!
  }
  interface RemoteObject {
    type: string
    subtype?: string
    className?: string
    description?: string
    objectId?: string
  }
  interface Property {
    name: string
    value?: RemoteObject
    get?: RemoteObject
    set?: RemoteObject
  }
  /** 0: seen before; 1: first visit; 2: first visit of a forbidden object. */
  const visit = (objectId: string): number =>
    post<{ result: { value: number } }>('Runtime.callFunctionOn', {
      objectId,
      functionDeclaration:
        'function () { const seen = globalThis.__reachSeen; if (seen.has(this)) return 0; seen.add(this); return globalThis.__reachForbidden.has(this) ? 2 : 1 }',
      returnByValue: true,
    }).result.value
  const reached: ReachedObject[] = []
  try {
    // Enabling the debugger reports every script parsed so far: their URLs name the code.
    post('Debugger.enable', {})
    const start = post<{ result: RemoteObject }>('Runtime.evaluate', {
      expression: 'globalThis.__reachRoot',
      objectGroup: 'reach',
    }).result
    const queue: RemoteObject[] = [start]
    while (queue.length > 0) {
      const remote = queue.pop()!
      if (!remote.objectId || (remote.type !== 'object' && remote.type !== 'function')) continue
      const internal = remote.subtype?.startsWith('internal#') === true
      // Scope lists, scopes and entries are fresh views: expand them, do not count them.
      if (internal && remote.description === 'Global') continue
      if (!internal) {
        const visited = visit(remote.objectId)
        if (visited === 0) continue
        if (visited === 2) forbiddenReached += 1
        // Bytes are leaves: nothing inside a buffer points anywhere.
        if (
          ['typedarray', 'arraybuffer', 'dataview', 'webassemblymemory'].includes(remote.subtype!)
        )
          continue
      }
      const { result, internalProperties, privateProperties } = post<{
        result: Property[]
        internalProperties?: Property[]
        privateProperties?: Property[]
      }>('Runtime.getProperties', {
        objectId: remote.objectId,
        ownProperties: true,
        objectGroup: 'reach',
      })
      if (!internal) {
        const object = {
          className: remote.className ?? remote.type,
          properties: result.map((p) => p.name),
        }
        reached.push(object)
        if (options.pick?.(object))
          post('Runtime.callFunctionOn', {
            objectId: remote.objectId,
            functionDeclaration: 'function () { globalThis.__reachPicked.push(this) }',
          })
        if (reached.length > limit)
          throw new Error(`more than ${limit} objects reachable: raise the limit`)
      }
      const location = internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value
      const scriptId = (location as { value?: { scriptId?: string } } | undefined)?.value?.scriptId
      const ownCode = scriptId !== undefined && (scripts.get(scriptId) ?? '').includes(codeRoot)
      for (const p of [...result, ...(privateProperties ?? []), ...(internalProperties ?? [])]) {
        if (p.name === '[[Prototype]]' || (p.name === '[[Scopes]]' && !ownCode)) continue
        for (const value of [p.value, p.get, p.set]) if (value?.objectId) queue.push(value)
      }
    }
    return { objects: reached, picked: holder.__reachPicked, forbiddenReached }
  } finally {
    post('Runtime.releaseObjectGroup', { objectGroup: 'reach' })
    post('Debugger.disable', {})
    delete holder.__reachRoot
    delete holder.__reachSeen
    delete holder.__reachForbidden
    delete holder.__reachPicked
    session.disconnect()
  }
}
