// below the services, which use them too (src/utils/network-names.ts)
export { BOOTSTRAP_TAG, DHT_PROTOCOL, RELAY_RESERVATION_TAG } from '../utils/network-names.js'

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
 * connection to each (a presentity dials to push, then hangs up), but the
 * DHT routing table, the relay circuits and pushes in flight need room.
 */
export const DEFAULT_MAX_CONNECTIONS = 300

/**
 * Ping streams allowed at once on one connection, each way. libp2p's ping
 * service allows one outbound stream, but two pingers share it: libp2p's
 * connection monitor and the DHT routing table's contact check. Three leaves
 * room for a ping of a previous round that is still closing.
 */
export const PING_STREAMS_PER_CONNECTION = 3
/**
 * How long we answer an inbound ping stream, ms. libp2p's ping handler gives
 * up after 10 s and resets the stream, but the peer that pings decides
 * whether we are alive and waits longer: libp2p's connection monitor up to
 * 60 s (its adaptive timeout's ceiling), the scale simulation's at least 20 s.
 * A reset ping fails the asker's check, and its connection monitor aborts
 * the whole connection: a node whose loop stalled for 10-20 s lost its relay
 * that way ("Cannot write to a stream that is closed", design record 015).
 * A ping stream stays bounded (PING_STREAMS_PER_CONNECTION, PING_STREAM_BYTE_LIMIT).
 */
export const PING_ANSWER_TIMEOUT_MS = 60_000
/**
 * Bytes a remote may send on one inbound ping stream. libp2p's ping and
 * connection monitor send one 32-byte round per stream; the handler echoes
 * whatever arrives, and what it cannot send back (a remote that does not
 * read) waits in the stream, up to 4 MiB, for the ping timeout. Eight rounds
 * leave room for an implementation that pings a few times on one stream
 */
export const PING_STREAM_BYTE_LIMIT = 8 * 32

/** Relay server limits for chat traffic (circuit-relay v2 reservations) */
export const RELAY_MAX_RESERVATIONS = 128
/** A reservation lasts this long unless renewed (circuit-relay-v2's default, set here on purpose) */
export const RELAY_RESERVATION_TTL_MS = 2 * 60 * 60_000
/** A relayed connection may stay up this long before the endpoints re-establish it */
export const RELAY_DURATION_LIMIT_MS = 30 * 60_000
/** Data allowed per relayed connection: generous for presence and text, not for bulk transfer */
export const RELAY_DATA_LIMIT_BYTES = 16n * 1024n * 1024n

/**
 * Third-party protocols' inbound messages, fitted to our record sizes: the
 * libraries read them with 4 MiB limits (or none they let us set), and the
 * frame guard (src/utils/frame-guard.ts) enforces these instead.
 *
 * kad-dht: a request is a key and, in PUT_VALUE, one record (a presence
 * record of at most MAX_RECORD_SIZE = 8 KiB, or a public key), or in
 * ADD_PROVIDER one provider with its addresses. Answers come back on our own
 * outbound streams, which kad-dht reads itself.
 */
export const DHT_REQUEST_FRAME_LIMIT = 16 * 1024
/** DHT streams at once on one connection: kad-dht asks one peer a few questions at a time */
export const DHT_STREAMS_PER_CONNECTION = 16
/** identify push: one identify message, whose size identify itself bounds at 8 KiB */
export const IDENTIFY_FRAME_LIMIT = 8 * 1024
/**
 * circuit relay v2 hop (at the relay) and stop (at the relayed peer): one
 * handshake message — a peer id, its addresses and the limits — before the
 * stream carries the relayed connection's bytes
 */
export const RELAY_HANDSHAKE_FRAME_LIMIT = 4 * 1024
/** DCUtR: a CONNECT with the initiator's addresses, then a SYNC (libp2p's own limit is 4 KiB) */
export const DCUTR_FRAME_LIMIT = 4 * 1024

/**
 * Inbound streams a yamux connection of a node behind relays accepts at once,
 * of every protocol and still negotiating: its relay's connection carries a
 * stop stream for each connection relayed to it. Yamux's default of 1,000
 * let one connection hold 1,000 streams in negotiation. A directly reachable
 * node accepts a peer's total of streams (`streams.maxPerPeerTotal`)
 */
export const MUXER_INBOUND_STREAMS = 256
/**
 * Inbound connections still being upgraded (encryption, muxer) at once.
 * libp2p's default is 10, and while they are in flight it refuses every
 * other inbound connection: ten silent sockets made a node deaf for the 10 s
 * of the upgrade timeout. A pending upgrade costs a socket and a Noise
 * state, some KiB, and its handshake's CPU is bounded by the per-address
 * rate below; 64 leave room for others beside the per-address bound.
 */
export const MAX_INCOMING_PENDING_CONNECTIONS = 64
/**
 * Of those, upgrades in flight from one address (an IPv4 address, an IPv6
 * /64): one address can hold at most this many slots (handshake-slots.ts).
 * Honest peers behind one NAT rarely have two handshakes in flight at once
 * (20 a second at ~0.1 s each); 8 leaves room for a burst after an outage.
 */
export const MAX_INCOMING_PENDING_PER_ADDRESS = 8
/**
 * New inbound connections per second from one IP address. libp2p's default
 * is 5, and honest nodes share addresses — a LAN behind one NAT reconnecting
 * to its relay, a local mesh on 127.0.0.1 (the same reason gossipsub's IP
 * colocation penalty is off): at 5 the sixth of six nodes joining a hub at
 * once was reset (ECONNRESET in the tests). 20 a second still bounds one
 * address to 20 handshakes a second, and the pending bound above holds.
 */
export const INBOUND_CONNECTION_THRESHOLD = 20
