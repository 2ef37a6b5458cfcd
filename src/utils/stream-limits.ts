/**
 * Bounds on inbound streams, node-wide.
 *
 * libp2p bounds streams per connection and protocol (`maxInboundStreams`),
 * but a stranger opens more connections with fresh identities, each with its
 * own allowance. The limiter counts the inbound streams of each protocol in
 * flight across the whole node and per remote peer, and aborts a stream
 * beyond either bound at once, before its handler reads a byte. A stream
 * counts until it is closed at both ends or aborted: a handler that has
 * answered and closed its side still holds what the remote sends until then.
 *
 * It is installed as a libp2p service that wraps the registrar's `handle`,
 * so every protocol's handler — ours and those of kad-dht,
 * identify, ping and circuit relay — gets the limiter and, where the
 * protocol is made of length-prefixed messages, the frame guard
 * (frame-guard.ts). libp2p's stream middleware (`libp2p.use`) is not used:
 * in libp2p 3.3 it appends each inbound stream's handler to the shared
 * middleware list, so later streams would run earlier handlers too.
 */
import { TooManyStreamsError } from './errors.js'
import { guardFrames, type FrameLimits } from './frame-guard.js'
import type { ComponentLogger, Connection, Counter, CounterGroup, Logger, Metrics, Stream, StreamHandler, StreamHandlerOptions } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

export interface ProtocolStreamLimits {
  /** Inbound streams of this protocol at once on one connection (libp2p's `maxInboundStreams`) */
  perConnection?: number
  /** … from one remote peer, across its connections */
  perPeer: number
  /** … across the node */
  perNode: number
  /** The protocol's messages, when they are length-prefixed; absent: the bytes are not looked at */
  frames?: FrameLimits
  /** Not counted in a peer's total (a relay's stop streams: one per connection relayed through it) */
  outsidePeerTotal?: boolean
  /** Count the bytes these streams carry both ways as relayed (a relay's hop streams) */
  relayed?: boolean
}

export interface StreamLimitsInit {
  /** Limits per protocol id */
  protocols: ReadonlyMap<string, ProtocolStreamLimits>
  /** For a protocol not in `protocols` */
  fallback: ProtocolStreamLimits
  /**
   * Inbound streams of all protocols from one remote peer at once. Each costs
   * some tens of KiB in libp2p (muxer, negotiation, handler state) before it
   * buffers a byte, so a stranger's share of the node is bounded as a whole
   */
  perPeerTotal: number
}

export interface StreamLimitsComponents {
  registrar: Registrar
  logger: ComponentLogger
  /** Present when the node collects metrics */
  metrics?: Metrics
}

export interface StreamLimits {
  /** Inbound streams in flight now, per protocol */
  inFlight(): Record<string, number>
  /** Inbound streams aborted so far, per protocol: over a stream bound, or breaking a frame limit */
  refused(): Record<string, number>
  /** Bytes carried both ways by the streams of protocols marked `relayed`, since start */
  relayedBytes(): number
}

class StreamLimiter implements StreamLimits {
  private readonly init: StreamLimitsInit
  private readonly log: Logger
  /** Whether a stream the frame guard could not watch was seen (logged once) */
  private unguardedSeen = false
  private readonly perProtocol = new Map<string, number>()
  private readonly perPeer = new Map<string, number>()
  private readonly peerTotal = new Map<string, number>()
  private readonly aborted = new Map<string, number>()
  private relayed = 0
  private readonly refusals?: CounterGroup
  private readonly relayedCounter?: Counter

  constructor (components: StreamLimitsComponents, init: StreamLimitsInit) {
    this.init = init
    this.log = components.logger.forComponent('presence-mesh:stream-limits')
    this.refusals = components.metrics?.registerCounterGroup('presence_mesh_stream_refusals_total', { label: 'protocol', help: 'Inbound streams aborted: over a stream bound, or breaking a frame limit' })
    this.relayedCounter = components.metrics?.registerCounter('presence_mesh_relayed_bytes_total', { help: 'Bytes this relay carried for relayed connections, both ways' })
    // services are constructed before any of them starts and registers its handlers
    const registrar = components.registrar
    const handle = registrar.handle.bind(registrar)
    registrar.handle = async (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions) => {
      const limits = this.limitsOf(protocol)
      const perConnection = limits.perConnection ?? options?.maxInboundStreams
      return handle(protocol, this.wrap(protocol, handler, limits), { ...options, maxInboundStreams: perConnection })
    }
  }

  readonly [Symbol.toStringTag] = '@presence-mesh/stream-limits'

  inFlight (): Record<string, number> {
    return Object.fromEntries(this.perProtocol)
  }

  refused (): Record<string, number> {
    return Object.fromEntries(this.aborted)
  }

  relayedBytes (): number {
    return this.relayed
  }

  private limitsOf (protocol: string): ProtocolStreamLimits {
    return this.init.protocols.get(protocol) ?? this.init.fallback
  }

  private wrap (protocol: string, handler: StreamHandler, limits: ProtocolStreamLimits): StreamHandler {
    return async (stream: Stream, connection: Connection) => {
      // a stream reset while its protocol was negotiated has closed already: nothing to count
      if (stream.status !== 'open') return handler(stream, connection)
      const peerKey = `${protocol} ${connection.remotePeer.toString()}`
      const ofProtocol = this.perProtocol.get(protocol) ?? 0
      const ofPeer = this.perPeer.get(peerKey) ?? 0
      const peer = connection.remotePeer.toString()
      const total = limits.outsidePeerTotal === true ? 0 : this.peerTotal.get(peer) ?? 0
      if (ofProtocol >= limits.perNode || ofPeer >= limits.perPeer || total >= this.init.perPeerTotal) {
        const which = ofProtocol >= limits.perNode ? `${limits.perNode} across the node` : ofPeer >= limits.perPeer ? `${limits.perPeer} per peer` : `${this.init.perPeerTotal} of all protocols per peer`
        this.refuse(protocol, stream, new TooManyStreamsError(`Too many inbound ${protocol} streams: at most ${which}`), connection)
        return
      }
      this.perProtocol.set(protocol, ofProtocol + 1)
      this.perPeer.set(peerKey, ofPeer + 1)
      if (limits.outsidePeerTotal !== true) this.peerTotal.set(peer, total + 1)
      stream.addEventListener('close', () => {
        this.decrement(this.perProtocol, protocol)
        this.decrement(this.perPeer, peerKey)
        if (limits.outsidePeerTotal !== true) this.decrement(this.peerTotal, peer)
      }, { once: true })
      if (limits.frames != null) {
        stream.addEventListener('close', (event) => {
          if (event.error?.name === 'FrameLimitError') this.count(protocol, event.error, connection)
        }, { once: true })
        // a peer that breaks a frame limit is not speaking the protocol: end its connection, which also
        // stops the bytes it still has in flight on its other streams (each may have a 256 KiB window)
        const guarded = guardFrames(stream, limits.frames, (err) => {
          stream.abort(err)
          connection.abort(err)
        })
        // the guard reads libp2p internals (frame-guard.ts): say so loudly if they changed
        if (!guarded && !this.unguardedSeen) {
          this.unguardedSeen = true
          this.log.error('cannot check the frames of inbound %s streams: the stream implementation is not the one frame-guard.ts knows, so frame limits do not hold', protocol)
        }
      }
      if (limits.relayed === true) this.countRelayed(stream)
      await handler(stream, connection)
    }
  }

  /**
   * Count what a relayed stream carries: what arrives is dispatched as
   * `message` events, what goes back is sent with send(). Wrapped as
   * @libp2p/prometheus-metrics wraps streams: a `message` listener added
   * before the handler's reader would take the first bytes from it.
   */
  private countRelayed (stream: Stream): void {
    const add = (bytes: number): void => {
      this.relayed += bytes
      this.relayedCounter?.increment(bytes)
    }
    const dispatchEvent = stream.dispatchEvent.bind(stream)
    stream.dispatchEvent = (event: Event) => {
      if (event.type === 'message') add((event as MessageEvent<{ byteLength: number }>).data.byteLength)
      return dispatchEvent(event)
    }
    const send = stream.send.bind(stream)
    stream.send = (data) => {
      add(data.byteLength)
      return send(data)
    }
  }

  private refuse (protocol: string, stream: Stream, err: Error, connection: Connection): void {
    this.count(protocol, err, connection)
    stream.abort(err)
  }

  private count (protocol: string, err: Error, connection: Connection): void {
    this.aborted.set(protocol, (this.aborted.get(protocol) ?? 0) + 1)
    this.refusals?.increment({ [protocol]: 1 })
    this.log('aborted an inbound stream from %p - %s', connection.remotePeer, err.message)
  }

  private decrement (counts: Map<string, number>, key: string): void {
    const n = (counts.get(key) ?? 1) - 1
    if (n <= 0) counts.delete(key)
    else counts.set(key, n)
  }
}

/** The service: list it first among the node's services, so it wraps the registrar before anyone registers */
export function streamLimits (init: StreamLimitsInit): (components: StreamLimitsComponents) => StreamLimits {
  return (components) => new StreamLimiter(components, init)
}
