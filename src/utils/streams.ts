/**
 * Small helpers for our stream protocols and DHT queries.
 */
import { InvalidLengthPrefixError } from './errors.js'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { ByteStream } from '@libp2p/utils'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { QueryEvent } from '@libp2p/kad-dht'

/** Run an async iterable (a DHT query) to its end, discarding its events */
export async function drain (events: AsyncIterable<unknown>): Promise<void> {
  for await (const event of events) {
    void event
  }
}

/** Run a DHT put to its end: how many peers took the record */
export async function storedOn (events: AsyncIterable<QueryEvent>): Promise<number> {
  let stored = 0
  for await (const event of events) {
    if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE') stored++
  }
  return stored
}

/**
 * Run one request/response exchange on a stream: close it when `exchange`
 * succeeds, abort it when it fails, and rethrow.
 */
export async function withStream<T> (stream: Stream, signal: AbortSignal, exchange: () => Promise<T>): Promise<T> {
  try {
    const result = await exchange()
    await stream.close({ signal })
    return result
  } catch (err: any) {
    stream.abort(err)
    throw err
  }
}

/** A default timeout for a network call, combined with the caller's signal */
export function timeoutSignal (ms: number, signal?: AbortSignal): AbortSignal {
  return signal == null ? AbortSignal.timeout(ms) : AbortSignal.any([signal, AbortSignal.timeout(ms)])
}

/**
 * As timeoutSignal, for a call made thousands of times a second (a message
 * sent): a plain signal, since every listener added to a composite one makes
 * node follow each of its sources, and a timer that `clear` removes, since an
 * AbortSignal.timeout fires after the call anyway and builds an error nobody
 * reads (both showed in a sender's profile beside its signatures)
 */
export function clearableTimeout (ms: number, signal?: AbortSignal): { signal: AbortSignal, clear: () => void } {
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort(new DOMException('The operation timed out', 'TimeoutError')) }, ms)
  const onAbort = (): void => { controller.abort(signal?.reason) }
  if (signal?.aborted === true) onAbort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }
}

/**
 * An open connection to `peer`, a direct one first, else a relayed
 * (limited) one. libp2p's openConnection() passes over limited connections
 * and dials again: through a relay, every stream then cost a new circuit,
 * and the relay a hop stream held for as long as that circuit lasts.
 */
export function openConnectionTo (connectionManager: ConnectionManager, peer: PeerId): Connection | undefined {
  const open = connectionManager.getConnections(peer).filter(c => c.status === 'open')
  return open.find(c => c.limits == null) ?? open[0]
}

/** openStream() on a connection we have, relayed ones included (see openConnectionTo), else on a new one */
export async function openStreamTo (connectionManager: ConnectionManager, peer: PeerId, protocol: string, options: { signal: AbortSignal }): Promise<Stream> {
  const connection = openConnectionTo(connectionManager, peer) ?? await connectionManager.openConnection(peer, options)
  return connection.newStream(protocol, { ...options, runOnLimitedConnection: true })
}

/** The longest varint length prefix read: 5 bytes hold any length up to 2^35 */
const MAX_LENGTH_BYTES = 5

/**
 * Read one varint length prefix, byte by byte, so that a handler can decide
 * on the length (reserve room for it, or refuse it) before the body arrives
 */
export async function readLength (bytes: ByteStream<Stream>, signal: AbortSignal): Promise<number> {
  let length = 0
  for (let i = 0; i < MAX_LENGTH_BYTES; i++) {
    const byte = (await bytes.read({ bytes: 1, signal })).get(0)
    length += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) return length
  }
  throw new InvalidLengthPrefixError(`a length prefix longer than ${MAX_LENGTH_BYTES} bytes`)
}
