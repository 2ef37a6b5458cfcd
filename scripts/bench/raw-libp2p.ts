/**
 * The baseline node: a plain libp2p node built with createLibp2p directly —
 * createNode()'s transports, encryption, muxer, identify, ping, kad-dht and
 * gossipsub, but no presence or messaging service, no control API and no
 * home on disk. raw-node.ts runs one per process.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { fromString } from 'uint8arrays/from-string'
import { DEFAULT_MAX_CONNECTIONS } from '../../src/node/constants.js'
import type { Libp2p } from '@libp2p/interface'

/** Its own DHT protocol: the baseline must not answer presence-mesh queries */
const DHT_PROTOCOL = '/presence-mesh-bench/kad/1.0.0'
/** DHT keys are /bench/<name>; kad-dht refuses namespaces without a validator */
const NAMESPACE = 'bench'
export const TOPIC = '/presence-mesh-bench/1'

export type RawLibp2p = Libp2p<{ dht: KadDHT, pubsub: GossipSub }>

export async function createRawNode (bootstrapList: string[]): Promise<RawLibp2p> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: DEFAULT_MAX_CONNECTIONS },
    peerDiscovery: bootstrapList.length > 0 ? [bootstrap({ list: bootstrapList })] : [],
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: DHT_PROTOCOL,
        clientMode: false,
        peerInfoMapper: passthroughMapper,
        validators: { [NAMESPACE]: async () => {} },
        selectors: { [NAMESPACE]: () => 0 }
      }),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true })
    }
  })
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
