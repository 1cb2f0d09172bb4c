import type * as grpc from '@grpc/grpc-js'

/** The one method of the federation service: a bidirectional stream of envelopes. */
export const CONNECT_PATH = '/msfl.v1.Federation/Connect'

const identity = (data: Buffer): Buffer => data

/**
 * `msfl.v1.Federation/Connect`, defined directly on @grpc/grpc-js: each stream message is
 * one encoded envelope (envelope.ts), so serialisation is the identity on bytes and there is
 * no protobuf schema. A participant opens the stream (it connects outbound, so only the
 * service provider listens); the service provider sends requests down it and the
 * participant answers up it.
 */
export const federationService = {
  Connect: {
    path: CONNECT_PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'connect',
  },
} satisfies grpc.ServiceDefinition
