import type { Http2Server, ServerHttp2Session } from 'node:http2'
import type * as grpc from '@grpc/grpc-js'
import { MsflError } from '../../core/errors/msflError.ts'

/**
 * Gives every HTTP/2 session of `server` a receive window of `bytes`, per stream and per
 * connection. grpc-js (1.14) applies `grpc-node.flow_control_window` to its client sessions
 * only (grpc/grpc-node#3058 would add the server), and has no hook for the sessions its
 * server creates; so this reaches the HTTP/2 servers it keeps in the private
 * `http2Servers` map (the connection injector's among them) and sets the window on each
 * new session. Call it after createConnectionInjector. Throws when that map is not there
 * (a grpc-js that changed it): test/transport-grpc/receiveWindow.test.ts also checks, from
 * a peer, the window the server advertises.
 */
export function widenReceiveWindows(server: grpc.Server, bytes: number): void {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers
  if (!(servers instanceof Map) || servers.size === 0)
    throw new MsflError(
      'PROTOCOL',
      'grpc-js keeps no http2Servers map: the receive window cannot be widened on this version',
    )
  for (const http2Server of servers.keys() as IterableIterator<Http2Server>)
    http2Server.on('session', (session: ServerHttp2Session) => {
      // A peer that hangs up at once leaves a destroyed session: nothing to widen.
      if (session.destroyed || session.closed) return
      session.settings({ initialWindowSize: bytes })
      session.setLocalWindowSize(bytes)
    })
}
