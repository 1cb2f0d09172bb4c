// Plug in a transport: the clients answer over HTTP on the loopback interface, with
// every message in msfl's wire format. runSimulation only sees the Transport interface.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  decodeMessage,
  encodeMessage,
  loadDataset,
  type MessageHandler,
  MsflError,
  parseDatasetSpec,
  planFederatedRun,
  runSimulation,
  simulationConfigSchema,
  type Transport,
} from 'msfl'

const MAX_MESSAGE_BYTES = 16 * 1024 * 1024

/** Serves every client handler at POST /<client id>. */
async function serveClients(handlers: ReadonlyMap<string, MessageHandler>): Promise<Server> {
  const server = createServer(async (request, response) => {
    const handler = handlers.get(decodeURIComponent(request.url?.slice(1) ?? ''))
    if (request.method !== 'POST' || !handler) {
      response.writeHead(404).end()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > MAX_MESSAGE_BYTES) {
        response.writeHead(413).end()
        return
      }
      chunks.push(chunk)
    }
    // The handler validates the decoded message itself: it is untrusted input.
    const message = decodeMessage(Buffer.concat(chunks), { maxBytes: MAX_MESSAGE_BYTES })
    const reply = encodeMessage(await handler.handle(message))
    response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(reply)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

/** A Transport that POSTs each encoded message to `<base URL>/<node id>`. */
function createHttpTransport(baseUrl: Promise<string>): Transport {
  const stats = { requests: 0, bytesSent: 0, bytesReceived: 0 }
  return {
    async request(to, message, options) {
      const body = encodeMessage(message)
      stats.requests += 1
      stats.bytesSent += body.length
      const url = `${await baseUrl}/${encodeURIComponent(to)}`
      // The round's deadline and the caller's abort both end the HTTP request.
      const deadline = AbortSignal.timeout(options.deadlineMs)
      const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline
      const response = await fetch(url, { method: 'POST', body, signal }).catch(
        (error: unknown) => {
          if (signal.aborted)
            throw new MsflError('DEADLINE', `${to}: no reply within ${options.deadlineMs} ms`)
          throw new MsflError(
            'TRANSPORT',
            `${to}: ${error instanceof Error ? error.message : String(error)}`,
          )
        },
      )
      if (!response.ok) throw new MsflError('TRANSPORT', `${to}: HTTP ${response.status}`)
      const reply = new Uint8Array(await response.arrayBuffer())
      stats.bytesReceived += reply.length
      return decodeMessage(reply, { maxBytes: MAX_MESSAGE_BYTES })
    },
    stats: () => ({ ...stats }),
  }
}

const config = simulationConfigSchema.parse({
  dataset: 'synthetic:classes=2,features=6,devices=4,samples=80,testSamples=30',
  model: 'logistic',
  clients: 4,
  rounds: 2,
  partition: 'natural',
  seed: 3,
})
const data = await loadDataset(parseDatasetSpec(config.dataset), config.seed)

let server: Server | undefined
const result = await runSimulation({
  runId: 'http-transport',
  plan: planFederatedRun(config),
  data,
  // runSimulation builds the client handlers and hands them over; serve them first.
  createTransport: (handlers) =>
    createHttpTransport(
      serveClients(handlers).then((started) => {
        server = started
        return `http://127.0.0.1:${(started.address() as AddressInfo).port}`
      }),
    ),
  emit: (event) => {
    if (event.type === 'round-completed')
      console.log(
        `round ${event.record.round}: ${event.record.bytesSent} bytes sent over HTTP, accuracy ${event.record.test.accuracy?.toFixed(3)}`,
      )
  },
  now: Date.now,
}).finally(() => server?.close())
console.log(`final accuracy ${result.final.accuracy?.toFixed(3)}`)
