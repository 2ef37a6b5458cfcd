/**
 * The measured nodes: createNode()'s transports, DHT and gossipsub settings
 * (src/node/create-node.ts as of commit 2a65acd), without its presence and
 * messaging services. Those join a presence shard and announce it in the
 * DHT on their own, which would blur both the no-topic baseline and the
 * difference between the designs.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify, type Identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { ping, type Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { DEFAULT_MAX_CONNECTIONS, DHT_PROTOCOL } from '../../src/node/constants.js'
import type { Libp2p } from '@libp2p/interface'

export type BareNode = Libp2p<{ identify: Identify, ping: Ping, dht: KadDHT, pubsub: GossipSub }>

export async function createBareNode (): Promise<BareNode> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: DEFAULT_MAX_CONNECTIONS },
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper }),
      pubsub: gossipsub({ runOnLimitedConnection: true, allowPublishToZeroTopicPeers: true })
    }
  })
}
