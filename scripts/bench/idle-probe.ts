/**
 * What the idle bench counts inside the measured node's own process:
 *
 * - bytes: the TCP sockets' own counters (`bytesRead`/`bytesWritten`), every
 *   socket the process opens or accepts, announced by node:diagnostics_channel
 *   — all of libp2p on the wire: Noise, Yamux, multistream-select, protocols;
 * - messages: every protocol stream opened, either way (a request/response
 *   exchange: ping, identify, a DHT query hop, a will, a subscribe), seen by
 *   wrapping the protocol handlers and each connection's newStream;
 * - CPU (process.cpuUsage: all threads) and RSS of the process;
 * - open connections.
 *
 * Install it before the node starts, so no socket is missed.
 */
import { subscribe } from 'node:diagnostics_channel'
import { MAX_INCOMING_PENDING_CONNECTIONS } from '../../src/node/constants.js'
import { performance } from 'node:perf_hooks'
import type { Connection, Libp2p, StreamHandler } from '@libp2p/interface'
import type { Socket } from 'node:net'

/**
 * Every node of a bench is 127.0.0.1, so the limits per address would be
 * the whole mesh's: 20 new inbound connections a second (libp2p's default,
 * 5) and 8 handshakes in flight would refuse most DHT and subscription
 * dials. Every node here, ours and the baselines, lifts them: one address
 * may open 1,000 a second and hold every handshake slot.
 */
export const ONE_HOST_CONNECTIONS = { inboundPerAddressPerSecond: 1_000, maxIncomingPendingPerAddress: MAX_INCOMING_PENDING_CONNECTIONS }

/** Counters since the probe was installed; rates come from the difference of two */
export interface ProbeSnapshot {
  /** performance.now() in the measured process */
  at: number
  bytesIn: number
  bytesOut: number
  /** Protocol streams opened, by protocol and direction (`in /ipfs/ping/1.0.0`) */
  streams: Record<string, number>
  /** µs of CPU, user + system */
  cpuUs: number
  rss: number
  connections: number
  /** Connections opened and closed since the probe was attached */
  opened: number
  closed: number
  /** Why connections closed: `local <error>`, `remote <error>` or `… graceful` */
  closeReasons: Record<string, number>
  /** The first error stack of each close reason with an error: who failed, not only what */
  closeStacks: Record<string, string>
  /** Inbound streams the node's stream limits aborted, per protocol (src/utils/stream-limits.ts) */
  refused: Record<string, number>
}

/** What a node's stream limits refused so far, per protocol; none for a node without them (the raw baseline) */
export function refusedStreams (node?: Libp2p): Record<string, number> {
  const limits = (node?.services as { streamLimits?: { refused?: () => Record<string, number> } } | undefined)?.streamLimits
  return limits?.refused?.() ?? {}
}

export class Probe {
  private readonly sockets = new Set<Socket>()
  private readonly streams = new Map<string, number>()
  private readonly churn = { opened: 0, closed: 0, reasons: new Map<string, number>(), stacks: new Map<string, string>() }
  private node?: Libp2p

  /** Starts counting sockets at once: call before the node is created */
  constructor () {
    for (const name of ['net.client.socket', 'net.server.socket']) {
      subscribe(name, message => this.sockets.add((message as { socket: Socket }).socket))
    }
  }

  /** Count the node's streams; call once it has started (its protocols are registered then) */
  attach (node: Libp2p): void {
    this.node = node
    // counted by wrapping handlers and newStream, not with libp2p.use(): libp2p 3.3's inbound path
    // pushes the protocol handler onto the registered middleware array itself, so with any
    // middleware registered every later stream of that protocol, outbound ones too, runs all the
    // handlers pushed so far — it broke every ping after the first and made nodes drop connections
    const count = (direction: 'in' | 'out', protocol: string): void => {
      const key = `${direction} ${protocol}`
      this.streams.set(key, (this.streams.get(key) ?? 0) + 1)
    }
    const { registrar } = (node as unknown as { components: { registrar: { getHandler(protocol: string): { handler: StreamHandler } } } }).components
    for (const protocol of node.getProtocols()) {
      const entry = registrar.getHandler(protocol)
      const handler = entry.handler
      entry.handler = async (stream, connection) => {
        count('in', protocol)
        return handler(stream, connection)
      }
    }
    const countOutbound = (connection: Connection): void => {
      const newStream = connection.newStream.bind(connection)
      connection.newStream = async (protocols, options) => {
        const stream = await newStream(protocols, options)
        count('out', stream.protocol)
        return stream
      }
    }
    node.getConnections().forEach(countOutbound)
    node.addEventListener('connection:open', ({ detail: connection }) => {
      countOutbound(connection)
      this.churn.opened++
      connection.addEventListener('close', event => {
        this.churn.closed++
        const reason = `${event.local === true ? 'local' : 'remote'} ${event.error == null ? 'graceful' : `${event.error.name}: ${event.error.message}`}`
        this.churn.reasons.set(reason, (this.churn.reasons.get(reason) ?? 0) + 1)
        if (event.error?.stack != null && !this.churn.stacks.has(reason)) this.churn.stacks.set(reason, event.error.stack.split('\n').slice(0, 16).join('\n'))
      }, { once: true })
    })
  }

  snapshot (): ProbeSnapshot {
    let bytesIn = 0
    let bytesOut = 0
    for (const socket of this.sockets) {
      bytesIn += socket.bytesRead
      bytesOut += socket.bytesWritten
    }
    const cpu = process.cpuUsage()
    return {
      at: performance.now(),
      bytesIn,
      bytesOut,
      streams: Object.fromEntries(this.streams),
      cpuUs: cpu.user + cpu.system,
      rss: process.memoryUsage().rss,
      connections: this.node?.getConnections().length ?? 0,
      opened: this.churn.opened,
      closed: this.churn.closed,
      closeReasons: Object.fromEntries(this.churn.reasons),
      closeStacks: Object.fromEntries(this.churn.stacks),
      refused: refusedStreams(this.node)
    }
  }
}
