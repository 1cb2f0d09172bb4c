import { MsflError } from '../errors/msflError.ts'

/**
 * Who pairs with whom. Without a degree every client pairs with every other (the
 * original protocol of Bonawitz et al., CCS 2017). With an even degree k (SecAgg+, Bell
 * et al., CCS 2020) the graph is the Harary graph H(k, n) on a uniformly random order of
 * the clients: a ring on which each client is joined to the k/2 clients either side. It
 * is k-regular and k-connected; the random order is what keeps a coalition from
 * choosing to sit next to a victim (docs/secure-aggregation.md).
 *
 * Clients are identified by their index 1..n; the result maps each index to its sorted
 * neighbours (never itself).
 */
export type Neighbourhoods = ReadonlyMap<number, readonly number[]>

function uniformBelow(bound: number, randomBytes: (length: number) => Uint8Array): number {
  // Rejection sampling on 32-bit draws: no modulo bias.
  const limit = 2 ** 32 - (2 ** 32 % bound)
  for (;;) {
    const b = randomBytes(4)
    const x = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0
    if (x < limit) return x % bound
  }
}

export function buildNeighbourhoods(
  clients: number,
  degree: number | null,
  randomBytes: (length: number) => Uint8Array,
): Neighbourhoods {
  const out = new Map<number, number[]>()
  if (degree === null) {
    for (let i = 1; i <= clients; i++)
      out.set(
        i,
        Array.from({ length: clients - 1 }, (_, j) => (j + 1 < i ? j + 1 : j + 2)),
      )
    return out
  }
  if (degree % 2 !== 0 || degree < 2 || degree >= clients)
    throw new MsflError(
      'CONFIG_INVALID',
      `neighbourhood degree must be even and in 2..${clients - 1}`,
    )
  // Fisher–Yates shuffle from the CSPRNG: ring position → client index.
  const order = Array.from({ length: clients }, (_, i) => i + 1)
  for (let i = clients - 1; i > 0; i--) {
    const j = uniformBelow(i + 1, randomBytes)
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  for (let position = 0; position < clients; position++) {
    const neighbours: number[] = []
    for (let step = 1; step <= degree / 2; step++) {
      neighbours.push(order[(position + step) % clients]!)
      neighbours.push(order[(position - step + clients) % clients]!)
    }
    out.set(
      order[position]!,
      neighbours.sort((a, b) => a - b),
    )
  }
  return out
}

/**
 * A deterministic byte stream from a 32-byte seed (the mask PRG's keystream, read in
 * order): the neighbour graph drawn from the roster digest, so every owner can redraw
 * the server's graph. AES-CTR output for a longer length starts with the shorter one, so
 * the stream is extended by expanding again when used up.
 */
export function seededRandomBytes(
  seed: Uint8Array,
  expandMask: (seed: Uint8Array, words: number) => Uint32Array,
): (length: number) => Uint8Array {
  // Words are written out little-endian, so the stream is the same on every host.
  const expand = (words: number) => {
    const out = new Uint8Array(4 * words)
    const view = new DataView(out.buffer)
    const stream = expandMask(seed, words)
    for (let i = 0; i < words; i++) view.setUint32(4 * i, stream[i]!, true)
    return out
  }
  let words = 256
  let stream = expand(words)
  let used = 0
  return (length) => {
    while (used + length > stream.length) {
      words *= 2
      stream = expand(words)
    }
    const out = stream.slice(used, used + length)
    used += length
    return out
  }
}

/** Whether the graph restricted to `members` is connected (masks of one component cancel only within it). */
export function isConnectedAmong(members: ReadonlySet<number>, graph: Neighbourhoods): boolean {
  const first = members.values().next()
  if (first.done) return true
  const seen = new Set<number>([first.value])
  const queue = [first.value]
  while (queue.length > 0) {
    const u = queue.pop()!
    for (const v of graph.get(u) ?? [])
      if (members.has(v) && !seen.has(v)) {
        seen.add(v)
        queue.push(v)
      }
  }
  return seen.size === members.size
}
