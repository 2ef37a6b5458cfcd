/**
 * Keep DHT clients out of kad-dht's routing table.
 *
 * kad-dht 16 offers to its routing table every peer a DHT answer names —
 * the closer peers and the providers — and admits it once it answers a
 * libp2p ping. Shard members are providers, and most of them are desktop
 * nodes in client mode (config.ts, servesDht): they answer pings but not the
 * DHT. Admitted, they cost twice: lookups dial them and fail, and the routing
 * table's 20 nearest peers are tagged keep-alive, so a node kept contacts
 * connected (and libp2p redialled them) only because a provider lookup had
 * named them. go-libp2p-kad-dht admits only peers that speak the DHT
 * protocol; this does the same here, at the one place kad-dht checks a
 * contact before admitting or keeping it (its ping).
 */
import type { AbortOptions, Libp2p, Logger, PeerId } from '@libp2p/interface'

/** The part of kad-dht's routing table this uses; not in its public types */
interface RoutingTableInternals {
  pingContact(contact: { peerId: PeerId }, options?: AbortOptions): Promise<boolean>
}

/**
 * Make the node's DHT admit (and keep) only peers that speak `protocol`.
 * Logs an error and changes nothing if kad-dht's internals are not what this
 * expects (a kad-dht upgrade): test/node/mesh.spec.ts then fails.
 */
export function admitOnlyDhtServers (libp2p: Libp2p<{ dht: unknown }>, protocol: string, log: Logger): void {
  const routingTable = (libp2p.services.dht as { routingTable?: Partial<RoutingTableInternals> }).routingTable
  if (typeof routingTable?.pingContact !== 'function') {
    log.error('kad-dht has no routingTable.pingContact: DHT clients may enter the routing table')
    return
  }
  const ping = routingTable.pingContact.bind(routingTable)
  routingTable.pingContact = async (contact, options) => {
    if (!await speaks(libp2p, contact.peerId, protocol, options)) {
      log.trace('%p does not serve the DHT: not in the routing table', contact.peerId)
      return false
    }
    return ping(contact, options)
  }
}

/** What identify said, or else whether the peer accepts a stream of `protocol` */
async function speaks (libp2p: Libp2p, peer: PeerId, protocol: string, options?: AbortOptions): Promise<boolean> {
  const known: string[] = await libp2p.peerStore.get(peer).then(p => p.protocols, () => [])
  if (known.length > 0) return known.includes(protocol)
  try {
    const stream = await libp2p.dialProtocol(peer, protocol, options)
    await stream.close(options)
    return true
  } catch {
    return false
  }
}
