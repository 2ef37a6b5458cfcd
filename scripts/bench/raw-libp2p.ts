/**
 * The baseline node: a plain libp2p node built with createLibp2p directly —
 * createNode()'s transports (TCP and circuit relay), encryption, muxer,
 * identify, ping, kad-dht and gossipsub, and a relay server when asked, but
 * no presence or messaging service, no control API and no home on disk; one
 * echo protocol stands in for a message and its receipt. raw-node.ts runs
 * one per process.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { createLibp2p } from 'libp2p'
import { fromString } from 'uint8arrays/from-string'
import { mergeSettings, servesDht } from '../../src/node/config.js'
import { ONE_HOST_INBOUND_PER_S } from './idle-probe.js'
import { DEFAULT_MAX_CONNECTIONS, RELAY_DATA_LIMIT_BYTES, RELAY_DURATION_LIMIT_MS, RELAY_MAX_RESERVATIONS } from '../../src/node/constants.js'
import type { Libp2p, Stream } from '@libp2p/interface'

/** Its own DHT protocol: the baseline must not answer presence-mesh queries */
const DHT_PROTOCOL = '/presence-mesh-bench/kad/1.0.0'
/** DHT keys are /bench/<name>; kad-dht refuses namespaces without a validator */
const NAMESPACE = 'bench'
export const TOPIC = '/presence-mesh-bench/1'
/** One length-prefixed payload in, the same payload back: a message and its receipt without our layer */
export const ECHO_PROTOCOL = '/presence-mesh-bench/echo/1.0.0'
/** Larger than any payload the bench sends (a message envelope is about 0.5 KiB) */
const MAX_ECHO_BYTES = 64 * 1024

export interface RawNodeOptions {
  bootstrap: string[]
  /** Serve circuit relay v2 with the limits a pmesh relay sets */
  relay?: boolean
  /** Also listen through a relay reservation, as a firewalled pmesh node does */
  behindRelay?: boolean
}

export type RawLibp2p = Libp2p<{ dht: KadDHT, pubsub: GossipSub }>

export async function createRawNode ({ bootstrap: bootstrapList, relay = false, behindRelay = false }: RawNodeOptions): Promise<RawLibp2p> {
  // the DHT role a pmesh node with the same bootstrap list and relay flag takes (servesDht, create-node.ts)
  const serves = servesDht(mergeSettings({ bootstrap: bootstrapList, relay, firewalled: behindRelay }))
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0', ...(behindRelay ? ['/p2p-circuit'] : [])] },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // every process is 127.0.0.1: libp2p's 5 inbound connections a second from one host would be
    // shared by the whole mesh, and reset the subscribers' dials to the publisher
    connectionManager: { maxConnections: DEFAULT_MAX_CONNECTIONS, inboundConnectionThreshold: ONE_HOST_INBOUND_PER_S },
    peerDiscovery: bootstrapList.length > 0 ? [bootstrap({ list: bootstrapList })] : [],
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: DHT_PROTOCOL,
        clientMode: !serves,
        allowQueryWithZeroPeers: serves,
        peerInfoMapper: passthroughMapper,
        validators: { [NAMESPACE]: async () => {} },
        selectors: { [NAMESPACE]: () => 0 }
      }),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }),
      ...(relay
        ? {
            relay: circuitRelayServer({
              reservations: { maxReservations: RELAY_MAX_RESERVATIONS, defaultDurationLimit: RELAY_DURATION_LIMIT_MS, defaultDataLimit: RELAY_DATA_LIMIT_BYTES }
            })
          }
        : {})
    }
  })
  // like our messaging protocol: allowed on relayed (limited) connections
  await node.handle(ECHO_PROTOCOL, async stream => {
    const lp = lpStream(stream, { maxDataLength: MAX_ECHO_BYTES })
    await lp.write(await lp.read())
    await stream.close()
  }, { maxInboundStreams: 256, runOnLimitedConnection: true })
  return node
}

/** One echo round trip on a fresh stream: a message opens one stream per delivery too */
export async function echoOnce (stream: Stream, bytes: Uint8Array): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: MAX_ECHO_BYTES })
  await lp.write(bytes)
  const back = await lp.read()
  if (back.byteLength !== bytes.byteLength) throw new Error(`echo returned ${back.byteLength} of ${bytes.byteLength} bytes`)
  await stream.close()
}

export function dhtKey (name: string): Uint8Array {
  return fromString(`/${NAMESPACE}/${name}`)
}

/** A payload of `size` bytes whose first bytes say which sample it is */
export function payload (id: number, size: number): Uint8Array {
  const bytes = new Uint8Array(Math.max(size, 16))
  bytes.set(fromString(`${id}:`))
  return bytes
}

export function payloadId (data: Uint8Array): number {
  return Number.parseInt(new TextDecoder().decode(data.subarray(0, 16)), 10)
}

/** Stop on SIGTERM/SIGINT or when the parent's IPC channel closes, within `deadlineMs` whatever happens */
export function stopWithParent (stop: () => Promise<unknown>, deadlineMs: number): void {
  let stopping = false
  const onSignal = (): void => {
    if (stopping) return
    stopping = true
    setTimeout(() => process.exit(1), deadlineMs).unref()
    stop().finally(() => process.exit(0))
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  // the bench died without stopping us: never outlive it
  process.on('disconnect', onSignal)
}
