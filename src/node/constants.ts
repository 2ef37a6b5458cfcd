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
 * Records a DHT server holds for others before it refuses records under new
 * keys (src/node/dht-records.ts). A record is at most 8 KiB and usually about
 * 1 KiB: 50,000 is at most 400 MiB of disk, typically 50 MiB. Each user's
 * record is held by the 20 servers nearest its key, so with 50 servers each
 * holds 2/5 of all records: room for 125,000 users.
 */
export const DEFAULT_DHT_MAX_RECORDS = 50_000

/**
 * Connection ceiling. A user with hundreds of contacts does not need a
 * connection to each (notifications travel through the gossip mesh), but the
 * DHT routing table, the gossip mesh and relay circuits together need room.
 */
export const DEFAULT_MAX_CONNECTIONS = 300

/**
 * Ping streams allowed at once on one connection, each way. libp2p's ping
 * service allows one outbound stream, but two pingers share it: libp2p's
 * connection monitor and the DHT routing table's contact check. Three leaves
 * room for a ping of a previous round that is still closing.
 */
export const PING_STREAMS_PER_CONNECTION = 3

/** Relay server limits for chat traffic (circuit-relay v2 reservations) */
export const RELAY_MAX_RESERVATIONS = 128
/** A relayed connection may stay up this long before the endpoints re-establish it */
export const RELAY_DURATION_LIMIT_MS = 30 * 60_000
/** Data allowed per relayed connection: generous for presence and text, not for bulk transfer */
export const RELAY_DATA_LIMIT_BYTES = 16n * 1024n * 1024n
