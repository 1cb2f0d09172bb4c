import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createMemoryTransport } from '../../src/adapters/transport/createMemoryTransport.ts'
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
    assert.deepEqual(((await transport.request('small', {})) as { type: string }).type, 'reply')
    await transport.request('large', {})
    const strict = createMemoryTransport({ handlers, maxReplyBytes: 10_000 })
    await strict.request('small', {})
    await assert.rejects(
      strict.request('large', {}),
      transportError(/reply of "large": 1000\d\d bytes exceed the limit of 10000 per reply/),
    )
    // The refused peer does not stop the others.
    await strict.request('small', {})
  })

  it('bounds the bytes one peer sends over the transport’s life', async () => {
    const transport = createMemoryTransport({ handlers, maxBytesPerPeer: 250_000 })
    await transport.request('large', {})
    await transport.request('large', {})
    await assert.rejects(
      transport.request('large', {}),
      transportError(/over its budget of 250000/),
    )
    // Another peer has its own budget.
    for (let i = 0; i < 5; i++) await transport.request('small', {})
  })

  it('never accepts a reply above the message limit, whatever the per-peer limit says', async () => {
    const transport = createMemoryTransport({
      handlers,
      maxMessageBytes: 50_000,
      maxReplyBytes: 1e9,
    })
    await assert.rejects(transport.request('large', {}), transportError(/limit of 50000/))
  })
})
