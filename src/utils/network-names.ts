/**
 * Names the node gives to libp2p and the services read back: the DHT's
 * protocol id, the tags of the peers a node keeps, and what a relayed
 * address looks like. A leaf, so that the services (src/presence/) use them
 * without importing the node that composes them; src/node/constants.ts and
 * src/node/firewall.ts re-export them.
 */
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * Kademlia protocol id of the presence-mesh DHT. A community mesh is its own
 * DHT: using IPFS's id would mix our records into a network that refuses
 * them, and fill our routing tables with peers that know nothing of presence.
 */
export const DHT_PROTOCOL = '/presence-mesh/kad/1.0.0'

/**
 * The tag our bootstrap peers carry. It starts with libp2p's KEEP_ALIVE, so
 * libp2p's reconnect queue dials them again when their connections drop; the
 * presence service leaves its will with them (src/presence/will-holders.ts).
 */
export const BOOTSTRAP_TAG = 'keep-alive-bootstrap'

/**
 * The tag circuit-relay-v2's reservation store puts on the relays we hold a
 * reservation on (its KEEP_ALIVE_TAG, not exported by the package)
 */
export const RELAY_RESERVATION_TAG = 'keep-alive-circuit-relay'

/**
 * The tag circuit-relay-v2's relay server puts on each peer holding a
 * reservation with it, for as long as it lasts (its RELAY_SOURCE_TAG, not
 * exported by the package): a relay keeps its clients' connections
 */
export const RELAY_CLIENT_TAG = 'circuit-relay-source'

/**
 * The tag kad-dht puts on the 20 DHT servers nearest the node's own id (its
 * KEEP_ALIVE_TAG), in client mode too; a DHT client takes it off
 * (src/node/dht-neighbours.ts)
 */
export const KAD_DHT_KEEP_ALIVE_TAG = 'keep-alive-kad-dht'

/** A relayed (circuit relay v2) address */
export function isCircuit (ma: Multiaddr): boolean {
  return ma.getComponents().some(c => c.name === 'p2p-circuit')
}
