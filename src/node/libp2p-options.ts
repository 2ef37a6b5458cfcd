/**
 * The libp2p part of a presence-mesh node, in one place: transports,
 * encryption, muxer, connection manager, monitor and gater, the stream
 * limits, identify, ping, kad-dht, hole punching and the relay
 * server. createNode() adds the presence, mailbox and messaging services on
 * top; the bench's baselines (scripts/bench, scripts/topic-cost) use the
 * same options without them, so that a baseline differs from our node only
 * in its services.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayServer, circuitRelayTransport, type CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { identify, type Identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type KadDHT, type Selectors, type Validators } from '@libp2p/kad-dht'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ping, type Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2pInit, type Libp2pOptions, type ServiceFactoryMap } from 'libp2p'
import { presenceKey } from '../presence/protocol.js'
import { DHT_DATASTORE_PREFIX, presenceDhtSelectors, presenceDhtValidators } from '../presence/wiring.js'
import { addressPeerId } from '../utils/formats.js'
import { streamLimits, type StreamLimits } from '../utils/stream-limits.js'
import { servesDht, type NodeSettings } from './config.js'
import { BOOTSTRAP_TAG, DEFAULT_DHT_MAX_RECORDS, DEFAULT_MAX_CONNECTIONS, DHT_PROTOCOL, DHT_STREAMS_PER_CONNECTION, IDENTIFY_FRAME_LIMIT, INBOUND_CONNECTION_THRESHOLD, MAX_INCOMING_PENDING_CONNECTIONS, MAX_INCOMING_PENDING_PER_ADDRESS, MUXER_INBOUND_STREAMS, PING_ANSWER_TIMEOUT_MS, PING_STREAMS_PER_CONNECTION, RELAY_DATA_LIMIT_BYTES, RELAY_DURATION_LIMIT_MS, RELAY_MAX_RESERVATIONS, RELAY_RESERVATION_TTL_MS } from './constants.js'
import { bootstrapKeeper, type BootstrapKeeper } from './bootstrap-keeper.js'
import { boundDhtRecords } from './dht-records.js'
import { keepNoDhtNeighbours } from './dht-neighbours.js'
import { admitOnlyDhtServers } from './dht-servers.js'
import { circuitAddressesOnly, firewallGater } from './firewall.js'
import { handshakeSlots } from './handshake-slots.js'
import { pacedRandomWalk } from './paced-walk.js'
import { DEFAULT_STREAM_SETTINGS, nodeStreamLimits } from './stream-limits.js'
import type { ComponentLogger, ConnectionGater, Libp2p, Metrics, PrivateKey, ServiceMap } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

/** The services every node built here runs; createNode() adds presence, mailbox and im */
export interface Libp2pServices extends ServiceMap {
  streamLimits: StreamLimits
  pacedWalk: object
  /** Only with bootstrap peers: dials them again until they answer (bootstrap-keeper.ts) */
  bootstrapKeeper?: BootstrapKeeper
  identify: Identify
  ping: Ping
  dht: KadDHT
  /** Not on a private node */
  dcutr?: unknown
  /** Only on a relay (`relay: true`) */
  relay?: CircuitRelayService
}

/** What is not a setting: the node's key and store, and knobs only code (the tests, the bench) turns */
export interface Libp2pParts {
  privateKey: PrivateKey
  /** Where the peer store and kad-dht's records live (the home's LevelDB for a node with a home) */
  datastore: Datastore
  /** Over config.json's `connections.maxConnections`. Default: 300 (DEFAULT_MAX_CONNECTIONS) */
  maxConnections?: number
  /** Over our connection-manager settings (the bench and the scale simulation raise the per-address limits) */
  connectionManager?: Omit<NonNullable<Libp2pInit['connectionManager']>, 'maxConnections'>
  /** Instead of the firewall's gater (a firewalled or private node) or none */
  connectionGater?: ConnectionGater
  /** libp2p's metrics (createNode gives @libp2p/prometheus-metrics when the node has a metrics endpoint) */
  metrics?: (components: { logger: ComponentLogger }) => Metrics
  /** DHT record namespaces besides presence's (the bench's baselines put their own values) */
  dht?: { validators?: Validators, selectors?: Selectors }
  /** Transports besides TCP and circuit relay (the scale simulation's in-memory transport) */
  transports?: NonNullable<Libp2pOptions['transports']>
  /**
   * The least time, ms, a ping may take before the connection is judged dead
   * and closed (libp2p's default: 5 s, adapted upward to slow peers). The
   * scale simulation raises it: hundreds of nodes sharing one event loop
   * answer late, and a relay that closed their connections pushed their wills.
   */
  pingTimeout?: number
}

/**
 * The libp2p options of a node with these settings: everything but the
 * presence-mesh services, which the caller adds to `services` (after these:
 * libp2p builds services in order, and ours use the dht). Not started.
 */
export function libp2pOptions (settings: NodeSettings, parts: Libp2pParts): Libp2pOptions<Libp2pServices> {
  const behindRelays = settings.firewalled || settings.private
  const servesTheDht = servesDht(settings)
  const maxConnections = parts.maxConnections ?? settings.connections.maxConnections ?? DEFAULT_MAX_CONNECTIONS
  const streamSettings = { ...DEFAULT_STREAM_SETTINGS, ...settings.streams }
  // A stream costs some tens of KiB in libp2p while its protocol is negotiated (muxer, multistream-select,
  // a peer store update), before the stream limits see it: a connection that could open 256 streams at
  // once let 8 strangers grow a relay by ~50 MiB in a burst (design record 008).
  // A directly reachable node refuses streams beyond a peer's total in the muxer, before any negotiation;
  // a node behind relays takes a stop stream on its relay's connection for each connection relayed to it
  // (outside that total), and strangers cannot connect to it directly
  const muxerInboundStreams = behindRelays ? MUXER_INBOUND_STREAMS : streamSettings.maxPerPeerTotal
  const { privateKey, datastore } = parts
  // what the DHT stores for others is bounded; our own record is always kept
  const libp2pDatastore = boundDhtRecords(datastore, DHT_DATASTORE_PREFIX, { maxRecords: settings.dht.maxRecords ?? DEFAULT_DHT_MAX_RECORDS },
    [presenceKey(peerIdFromPrivateKey(privateKey))], defaultLogger().forComponent('presence-mesh:node:dht-records'))

  return {
    privateKey,
    datastore: libp2pDatastore,
    start: false,
    addresses: behindRelays
      ? {
          // one /p2p-circuit listen address = one relay reservation: keep two when two relays exist
          listen: [...settings.listen, '/p2p-circuit', '/p2p-circuit'],
          announceFilter: circuitAddressesOnly
        }
      // announce: what a relay behind NAT or with a fixed public address advertises instead
      : { listen: [...settings.listen], announce: [...settings.announce] },
    metrics: parts.metrics,
    transports: [tcp(), circuitRelayTransport(), ...parts.transports ?? []],
    connectionEncrypters: [noise()],
    // no Yamux keep-alive: its pings (every 30 s, on every connection) close nothing when
    // unanswered; the connection monitor's pings below keep NAT mappings open and find dead peers.
    // A connection holds at most muxerInboundStreams inbound streams at once, of all protocols and
    // still negotiating (yamux allows 1,000); each protocol's own bounds are in stream-limits.ts
    streamMuxers: [yamux({ enableKeepAlive: false, maxInboundStreams: muxerInboundStreams })],
    // a connection's idle cost is its pings: see "Idle cost budget" in docs/ARCHITECTURE.md
    connectionMonitor: { pingInterval: settings.pingInterval * 1000, ...(parts.pingTimeout == null ? {} : { pingTimeout: { minTimeout: parts.pingTimeout } }) },
    // a stranger's connections cost a handshake each before any limit on streams applies: bound
    // those being upgraded, from everyone and from one address, and the new ones per second
    // from one address (constants.ts)
    connectionGater: handshakeSlots({
      perAddress: settings.connections.maxIncomingPendingPerAddress ?? MAX_INCOMING_PENDING_PER_ADDRESS,
      inner: parts.connectionGater ?? (behindRelays
        ? firewallGater({ private: settings.private, relays: settings.bootstrap.map(address => addressPeerId(multiaddr(address)) ?? '') })
        : undefined),
      log: defaultLogger().forComponent('presence-mesh:node:handshake-slots')
    }),
    connectionManager: {
      maxIncomingPendingConnections: settings.connections.maxIncomingPending ?? MAX_INCOMING_PENDING_CONNECTIONS,
      inboundConnectionThreshold: settings.connections.inboundPerAddressPerSecond ?? INBOUND_CONNECTION_THRESHOLD,
      ...parts.connectionManager,
      maxConnections
    },
    // keep-alive: a node that lost its connections (it slept, its network went) dials its
    // bootstrap nodes again, as libp2p's reconnect queue does for peers with this tag
    // dialled at once (libp2p waits 1 s by default): a desktop node announces itself only once it
    // has met a DHT server among them (presence's afterStart)
    peerDiscovery: settings.bootstrap.length > 0 ? [bootstrap({ list: settings.bootstrap, tagName: BOOTSTRAP_TAG, timeout: 0 })] : [],
    services: {
      // before every service that handles a protocol: it wraps the registrar's handle(), so every
      // inbound stream of every protocol is counted and its frames checked (src/utils/stream-limits.ts)
      streamLimits: streamLimits(nodeStreamLimits({ streams: streamSettings, maxConnections })),
      // first of the others: the relay transport must find the paced walk when it starts looking for relays
      pacedWalk: pacedRandomWalk(),
      // libp2p dials a bootstrap peer once at start, and again only for 30 s after a disconnect
      ...(settings.bootstrap.length > 0 ? { bootstrapKeeper: bootstrapKeeper(settings.bootstrap) } : {}),
      // a pushed identify message is bounded at 8 KiB (identify's default, set on purpose)
      identify: identify({ maxMessageSize: IDENTIFY_FRAME_LIMIT }),
      // two pingers share each connection: the connection monitor and the DHT's routing table
      // (it pings contacts before keeping or evicting them). With libp2p's limit of one outbound
      // ping stream per connection, whichever came second failed, and a failed monitor ping
      // closes the connection: nodes lost connections at every ping round (docs/ARCHITECTURE.md)
      // we answer a ping as long as its asker may wait for it (constants.ts)
      ping: ping({ maxOutboundStreams: PING_STREAMS_PER_CONNECTION, maxInboundStreams: PING_STREAMS_PER_CONNECTION, timeout: Math.max(PING_ANSWER_TIMEOUT_MS, parts.pingTimeout ?? 0) }),
      dht: kadDHT({
        protocol: DHT_PROTOCOL,
        // relays and seeds serve; desktop nodes and nodes nobody can dial only ask (config.ts)
        clientMode: !servesTheDht,
        // a server answers from its own store even when no other server is known (a seed alone, the
        // community's only relay); without this its lookups waited for a peer until they timed out
        allowQueryWithZeroPeers: servesTheDht,
        // kad-dht holds every query until its first self-query, which it starts 1 s after start by
        // default: at once, it runs as soon as the bootstrap server is known, and a starting node's
        // first record goes out then rather than a second later
        initialQuerySelfInterval: 0,
        // kad-dht reads requests with a 4 MiB limit it does not let us set: the frame guard holds them to
        // DHT_REQUEST_FRAME_LIMIT (stream-limits.ts); these bound the streams on one connection
        maxInboundStreams: DHT_STREAMS_PER_CONNECTION,
        // our own queries to one server: kad-dht's default, kept on purpose
        maxOutboundStreams: 64,
        // keep loopback and LAN addresses: community meshes and local tests live there
        peerInfoMapper: passthroughMapper,
        // the presence validator reads the record kad-dht holds to refuse a rollback: same place
        datastorePrefix: DHT_DATASTORE_PREFIX,
        validators: { ...parts.dht?.validators, ...presenceDhtValidators(datastore) },
        selectors: { ...parts.dht?.selectors, ...presenceDhtSelectors }
      }),
      // hole punching upgrades relayed connections to direct ones where both sides allow it;
      // a private node never does: a direct connection would reveal its address
      ...(settings.private ? {} : { dcutr: dcutr() }),
      ...(settings.relay
        ? {
            relay: circuitRelayServer({
              reservations: {
                maxReservations: settings.relayLimits.maxReservations ?? RELAY_MAX_RESERVATIONS,
                reservationTtl: settings.relayLimits.reservationTtlMs ?? RELAY_RESERVATION_TTL_MS,
                defaultDurationLimit: settings.relayLimits.durationMs ?? RELAY_DURATION_LIMIT_MS,
                defaultDataLimit: settings.relayLimits.dataBytes != null ? BigInt(settings.relayLimits.dataBytes) : RELAY_DATA_LIMIT_BYTES
              }
            })
          }
        : {})
    } satisfies ServiceFactoryMap<Libp2pServices>
  }
}

/** Services added on top of ours: each is given libp2p's components, ours and theirs */
export type ExtraServices<S extends ServiceMap> = { [K in keyof S]: (components: Parameters<ServiceFactoryMap<Libp2pServices & S>[K]>[0]) => S[K] }

/**
 * createLibp2p() with libp2pOptions() and `services` added after ours, then
 * the DHT rules every node of ours keeps (dht-servers.ts, dht-neighbours.ts). Not started.
 */
export async function createMeshLibp2p<S extends ServiceMap = Record<string, never>> (settings: NodeSettings, parts: Libp2pParts, services?: ExtraServices<S>): Promise<Libp2p<Libp2pServices & S>> {
  const options = libp2pOptions(settings, parts)
  const libp2p = await createLibp2p<Libp2pServices & S>({
    ...options,
    services: { ...options.services, ...services } as ServiceFactoryMap<Libp2pServices & S>
  })
  // a desktop contact we dialled to push must not become a DHT neighbour we keep connected
  const log = libp2p.logger.forComponent('presence-mesh:node:dht')
  admitOnlyDhtServers(libp2p, DHT_PROTOCOL, log)
  // a client only asks the DHT: it keeps no server connected but its bootstrap peers and relays
  if (!servesDht(settings)) await keepNoDhtNeighbours(libp2p, log)
  return libp2p
}
