/**
 * The measured nodes: our node's libp2p, built by the same options builder
 * as createNode() (src/node/libp2p-options.ts) from the settings of a node
 * listening on 127.0.0.1 with no bootstrap peers (a DHT server), without
 * its presence and messaging services. Those join a presence shard and
 * announce it in the DHT on their own, which would blur both the no-topic
 * baseline and the difference between the designs. In memory, as
 * createNode() is without a home: the designs are compared with each other,
 * not with a node on disk.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { MemoryDatastore } from 'datastore-core'
import { mergeSettings } from '../../src/node/config.js'
import { createMeshLibp2p, type Libp2pServices } from '../../src/node/libp2p-options.js'
import type { Libp2p } from '@libp2p/interface'

export type BareNode = Libp2p<Libp2pServices>

export async function createBareNode (): Promise<BareNode> {
  const node = await createMeshLibp2p(mergeSettings({ listen: ['/ip4/127.0.0.1/tcp/0'] }), {
    privateKey: await generateKeyPair('Ed25519'),
    datastore: new MemoryDatastore()
  })
  await node.start()
  return node
}
