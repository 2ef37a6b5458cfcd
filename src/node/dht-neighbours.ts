/**
 * A DHT client keeps no DHT neighbours connected.
 *
 * kad-dht 16 tags keep-alive the 20 DHT servers nearest the node's own id
 * (its closest-peers tagger, whose size @libp2p/kad-dht does not let us set),
 * in client mode too. A server needs its neighbours: others' lookups are
 * routed through it. A client is in nobody's routing table; it needs servers
 * only while it asks, and dials them then. Kept, its neighbours cost every
 * relay of a community with fewer than 20 relays a connection from every node
 * in it: at 1,000 nodes each relay reached its 300-connection ceiling and
 * refused its own new clients (design record 015). Tagged keep-alive, they
 * were also dialled again by libp2p after each loss and each restart.
 *
 * So a client takes the tag off as soon as kad-dht puts it on, and at start
 * off the peers a former version left tagged in the peer store; its bootstrap
 * peers and relays keep their own tags. Its idle connections to DHT servers
 * are then closed like any other (src/presence/hang-up.ts).
 */
import { KAD_DHT_KEEP_ALIVE_TAG } from '../utils/network-names.js'
import type { Libp2p, Logger, PeerId } from '@libp2p/interface'

/** Take kad-dht's keep-alive tag off every peer, now and whenever kad-dht tags one. Call before libp2p starts */
export async function keepNoDhtNeighbours (libp2p: Libp2p, log: Logger): Promise<void> {
  const untag = async (peer: PeerId): Promise<void> => {
    await libp2p.peerStore.merge(peer, { tags: { [KAD_DHT_KEEP_ALIVE_TAG]: undefined } })
      .then(() => { log.trace('%p is not kept connected as a DHT neighbour', peer) })
      .catch(err => { log.error('could not untag DHT neighbour %p - %e', peer, err) })
  }
  libp2p.addEventListener('peer:update', ({ detail: { peer } }) => {
    if (peer.tags.has(KAD_DHT_KEEP_ALIVE_TAG)) void untag(peer.id)
  })
  // before start, when libp2p's reconnect queue dials every peer stored with a keep-alive tag
  const tagged = await libp2p.peerStore.all({ filters: [peer => peer.tags.has(KAD_DHT_KEEP_ALIVE_TAG)] })
  await Promise.all(tagged.map(async peer => untag(peer.id)))
}
