import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'

/** A peer that answers every request with `bytes` bytes of payload. */
const peer = (bytes: number): MessageHandler => ({
  async handle() {
    return { type: 'reply', payload: new Uint8Array(bytes) }
  },
})
const transportError = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'TRANSPORT' && pattern.test(e.message)

/** Any request will do: the peers answer every message with a reply of their size. */
const ask = { type: 'smpc-advance', session: 's', step: 0 } as const
const within = { deadlineMs: 60_000 }

describe('memory transport: what a peer may send', () => {
  const handlers = new Map([
    ['small', peer(1_000)],
    ['large', peer(100_000)],
  ])

  it('bounds each reply per peer, before decoding it', async () => {
    const transport = createMemoryTransport({
      handlers,
      maxReplyBytes: (name) => (name === 'large' ? 200_000 : 10_000),
    })
    assert.deepEqual(
      ((await transport.request('small', ask, within)) as { type: string }).type,
      'reply',
    )
    await transport.request('large', ask, within)
    const strict = createMemoryTransport({ handlers, maxReplyBytes: 10_000 })
    await strict.request('small', ask, within)
    await assert.rejects(
      strict.request('large', ask, within),
      transportError(/reply of "large": 1000\d\d bytes exceed the limit of 10000 per reply/),
    )
    // The refused peer does not stop the others.
    await strict.request('small', ask, within)
  })

  it('bounds the bytes one peer sends over the transport’s life', async () => {
    const transport = createMemoryTransport({ handlers, maxBytesPerPeer: 250_000 })
    await transport.request('large', ask, within)
    await transport.request('large', ask, within)
    await assert.rejects(
      transport.request('large', ask, within),
      transportError(/over its budget of 250000/),
    )
    // Another peer has its own budget.
    for (let i = 0; i < 5; i++) await transport.request('small', ask, within)
  })

  it('never accepts a reply above the message limit, whatever the per-peer limit says', async () => {
    const transport = createMemoryTransport({
      handlers,
      maxMessageBytes: 50_000,
      maxReplyBytes: 1e9,
    })
    await assert.rejects(transport.request('large', ask, within), transportError(/limit of 50000/))
  })
})
