/**
 * `createNode()`: one presence-mesh node — a libp2p 3 node with the mesh's
 * transports, DHT and pubsub, its identity and datastore in its home.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { dcutr } from '@libp2p/dcutr'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { LevelDatastore } from 'datastore-level'
import { MemoryDatastore } from 'datastore-core'
import { createLibp2p, type Libp2pInit } from 'libp2p'
import { instantMessaging, type InstantMessaging, type InstantMessagingInit } from '../messaging/index.js'
import { mailbox, type Mailbox, type MailboxInit } from '../mesh/index.js'
import { DHT_DATASTORE_PREFIX, presence, presenceDhtSelectors, presenceDhtValidators, presenceTopicScoreParams, type Presence, type PresenceInit } from '../presence/index.js'
import { presenceKey } from '../presence/protocol.js'
import { formatImUri, formatPresUri } from '../uri/index.js'
import { readConfigFile, mergeSettings, servesDht, validateSettings } from './config.js'
import { BOOTSTRAP_TAG, DEFAULT_DHT_MAX_RECORDS, DEFAULT_MAX_CONNECTIONS, DHT_PROTOCOL, DHT_STREAMS_PER_CONNECTION, GOSSIP_RPC_FRAME_LIMIT, GOSSIP_STREAMS_PER_CONNECTION, IDENTIFY_FRAME_LIMIT, INBOUND_CONNECTION_THRESHOLD, MAX_INCOMING_PENDING_CONNECTIONS, MUXER_INBOUND_STREAMS, PING_STREAMS_PER_CONNECTION, RELAY_DATA_LIMIT_BYTES, RELAY_DURATION_LIMIT_MS, RELAY_MAX_RESERVATIONS } from './constants.js'
import { HomeInUseError } from './errors.js'
import { boundDhtRecords } from './dht-records.js'
import { admitOnlyDhtServers } from './dht-servers.js'
import { circuitAddressesOnly, firewallGater } from './firewall.js'
import { pacedRandomWalk } from './paced-walk.js'
import { DEFAULT_STREAM_SETTINGS, nodeStreamLimits } from './stream-limits.js'
import { streamLimits, type StreamLimits } from '../utils/stream-limits.js'
import { ensureHome, type HomePaths } from './home.js'
import { loadOrCreateIdentity } from './identity.js'
import type { NodeSettings } from './config.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Identify } from '@libp2p/identify'
import type { ConnectionGater, Libp2p, PeerId, PrivateKey, ServiceMap } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'
import type { Datastore } from 'interface-datastore'


export interface PresenceMeshServices extends ServiceMap {
  identify: Identify
  ping: Ping
  dht: KadDHT
  pubsub: GossipSub
  presence: Presence
  mailbox: Mailbox
  im: InstantMessaging
  pacedWalk: object
  streamLimits: StreamLimits
}

export interface CreateNodeOptions extends Partial<NodeSettings> {
  /**
   * The node's home directory (identity key, datastore, config.json). Without
   * one the node is ephemeral: a fresh identity and an in-memory datastore.
   */
  home?: string
  /** Use this identity instead of the home's key file */
  privateKey?: PrivateKey
  /** Use this datastore instead of the home's LevelDB */
  datastore?: Datastore
  /** Default: 300 (see constants.ts) */
  maxConnections?: number
  /**
   * Further connection-manager settings (pending inbound connections, dial
   * queue). Many nodes in one process (the scale simulation) need higher
   * pending limits than libp2p's defaults, which are sized for one node.
   */
  connectionManager?: Omit<NonNullable<Libp2pInit['connectionManager']>, 'maxConnections'>
  /** Decide which connections are allowed (e.g. refuse inbound direct dials) */
  connectionGater?: ConnectionGater
  /** Options of the presence service */
  presence?: PresenceInit
  /** Options of the messaging service */
  messaging?: InstantMessagingInit
  /** Limits a relay (`relay: true`) puts on each relayed connection. Default: 30 min, 16 MiB */
  relayLimits?: { durationMs?: number, dataBytes?: bigint }
  /** Mailbox limits (over config.json's `mailbox`); a relay (`relay: true`) keeps mailboxes for others */
  mailbox?: Omit<MailboxInit, 'serve'>
  /** Start listening before returning. Default: true */
  start?: boolean
}

export interface PresenceMeshNode {
  readonly libp2p: Libp2p<PresenceMeshServices>
  readonly peerId: PeerId
  /** `pres:<peerId>` */
  readonly presUri: string
  /** `im:<peerId>` */
  readonly imUri: string
  readonly settings: NodeSettings
  readonly datastore: Datastore
  /** Set when the node runs from a home directory */
  readonly home?: HomePaths
  start(): Promise<void>
  /** Stop libp2p, then close the datastore it was writing to */
  stop(): Promise<void>
}

export async function createNode (options: CreateNodeOptions = {}): Promise<PresenceMeshNode> {
  const home = options.home != null ? await ensureHome(options.home) : undefined
  const fileSettings = home != null ? await readConfigFile(home.config) : {}
  const { listen, bootstrap: bootstrapList, relay, apiPort, firewalled, private: privateAddressing, pingInterval, dhtServer, inbox, mailbox: mailboxLimits, dht, streams } = options
  const settings = mergeSettings(fileSettings, validateSettings(dropUndefined({ listen, bootstrap: bootstrapList, relay, apiPort, firewalled, private: privateAddressing, pingInterval, dhtServer, inbox, mailbox: mailboxLimits, dht, streams }), 'options'))
  const behindRelays = settings.firewalled || settings.private
  const servesTheDht = servesDht(settings)
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS
  const streamSettings = { ...DEFAULT_STREAM_SETTINGS, ...settings.streams }
  // A stream costs some tens of KiB in libp2p while its protocol is negotiated (muxer, multistream-select,
  // a peer store update), before the stream limits see it: a connection that could open 256 streams at
  // once let 8 strangers grow a relay by ~50 MiB in a burst (docs/ARCHITECTURE.md, "Memory under attack").
  // A directly reachable node refuses streams beyond a peer's total in the muxer, before any negotiation;
  // a node behind relays takes a stop stream on its relay's connection for each connection relayed to it
  // (outside that total), and strangers cannot connect to it directly
  const muxerInboundStreams = behindRelays ? MUXER_INBOUND_STREAMS : streamSettings.maxPerPeerTotal

  const privateKey = options.privateKey ??
    (home != null ? await loadOrCreateIdentity(home.identityKey) : await generateKeyPair('Ed25519'))
  // a datastore handed in by the caller is theirs to close; ours we close on stop
  const ownDatastore = options.datastore == null && home != null ? await openDatastore(home.datastore) : undefined
  const datastore = options.datastore ?? ownDatastore ?? new MemoryDatastore()
  // what the DHT stores for others is bounded; our own record is always kept
  const libp2pDatastore = boundDhtRecords(datastore, DHT_DATASTORE_PREFIX, { maxRecords: settings.dht.maxRecords ?? DEFAULT_DHT_MAX_RECORDS },
    [presenceKey(peerIdFromPrivateKey(privateKey))], defaultLogger().forComponent('presence-mesh:node:dht-records'))

  let libp2p: Libp2p<PresenceMeshServices>
  try {
    libp2p = await createLibp2p<PresenceMeshServices>({
      privateKey,
      datastore: libp2pDatastore,
      start: false,
      addresses: behindRelays
        ? {
            // one /p2p-circuit listen address = one relay reservation: keep two when two relays exist
            listen: [...settings.listen, '/p2p-circuit', '/p2p-circuit'],
            announceFilter: circuitAddressesOnly
          }
        : { listen: [...settings.listen] },
      transports: [tcp(), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      // no Yamux keep-alive: its pings (every 30 s, on every connection) close nothing when
      // unanswered; the connection monitor's pings below keep NAT mappings open and find dead peers.
      // A connection holds at most muxerInboundStreams inbound streams at once, of all protocols and
      // still negotiating (yamux allows 1,000); each protocol's own bounds are in stream-limits.ts
      streamMuxers: [yamux({ enableKeepAlive: false, maxInboundStreams: muxerInboundStreams })],
      // a connection's idle cost is its pings: see "Idle cost budget" in docs/ARCHITECTURE.md
      connectionMonitor: { pingInterval: settings.pingInterval * 1000 },
      connectionGater: options.connectionGater ?? (behindRelays
        ? firewallGater({ private: settings.private, relays: settings.bootstrap.map(peerIdOf) })
        : undefined),
      // a stranger's connections cost a handshake each before any limit on streams applies: bound
      // those being upgraded and the new ones per second from one address (constants.ts)
      connectionManager: {
        maxIncomingPendingConnections: MAX_INCOMING_PENDING_CONNECTIONS,
        inboundConnectionThreshold: INBOUND_CONNECTION_THRESHOLD,
        ...options.connectionManager,
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
        // a pushed identify message is bounded at 8 KiB (identify's default, set on purpose)
        identify: identify({ maxMessageSize: IDENTIFY_FRAME_LIMIT }),
        // two pingers share each connection: the connection monitor and the DHT's routing table
        // (it pings contacts before keeping or evicting them). With libp2p's limit of one outbound
        // ping stream per connection, whichever came second failed, and a failed monitor ping
        // closes the connection: nodes lost connections at every ping round (docs/ARCHITECTURE.md)
        ping: ping({ maxOutboundStreams: PING_STREAMS_PER_CONNECTION, maxInboundStreams: PING_STREAMS_PER_CONNECTION }),
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
          validators: presenceDhtValidators(datastore),
          selectors: presenceDhtSelectors
        }),
        pubsub: gossipsub({
          // presence and subscriptions must keep flowing through relays
          runOnLimitedConnection: true,
          allowPublishToZeroTopicPeers: true,
          // an RPC carries presence records of at most 8 KiB: 64 KiB, not gossipsub's 4 MiB (constants.ts)
          maxInboundDataLength: GOSSIP_RPC_FRAME_LIMIT,
          maxInboundStreams: GOSSIP_STREAMS_PER_CONNECTION,
          maxOutboundStreams: GOSSIP_STREAMS_PER_CONNECTION,
          scoreParams: {
            topics: presenceTopicScoreParams(),
            // gossipsub's default punishes every peer beyond 10 on one IP address, quadratically
            // (a Sybil defence for open networks): a relay sees each firewalled node behind another
            // relay at that relay's address, a community LAN shares its NAT's, and a local mesh is all
            // 127.0.0.1. Above 10 such peers they fell out of the relays' gossip meshes and changes
            // stopped arriving; a forged or flooding peer still loses score by what it sends
            IPColocationFactorWeight: 0
          }
        }),
        // after dht and pubsub: it uses both
        // our will goes to our bootstrap peers and relays; a node with none leaves it with the DHT servers it dialled
        presence: presence({ allShards: settings.relay, willsToDialled: settings.bootstrap.length === 0, ...settings.presence, ...options.presence }),
        mailbox: mailbox({ ...settings.mailbox, serve: settings.relay }),
        // after presence and mailbox: contacts, recipients' addresses and offline delivery come from them
        // config.json's `inbox` limits, then any given in code
        im: instantMessaging({ ...options.messaging, inbox: { ...settings.inbox, ...options.messaging?.inbox } }),
        // hole punching upgrades relayed connections to direct ones where both sides allow it;
        // a private node never does: a direct connection would reveal its address
        ...(settings.private ? {} : { dcutr: dcutr() }),
        ...(settings.relay
          ? {
              relay: circuitRelayServer({
                reservations: {
                  maxReservations: RELAY_MAX_RESERVATIONS,
                  defaultDurationLimit: options.relayLimits?.durationMs ?? RELAY_DURATION_LIMIT_MS,
                  defaultDataLimit: options.relayLimits?.dataBytes ?? RELAY_DATA_LIMIT_BYTES
                }
              })
            }
          : {})
      }
    })
  } catch (err) {
    await ownDatastore?.close()
    throw err
  }
  // a desktop contact named as a shard provider must not become a DHT neighbour we keep connected
  admitOnlyDhtServers(libp2p, DHT_PROTOCOL, libp2p.logger.forComponent('presence-mesh:node:dht'))

  const node: PresenceMeshNode = {
    libp2p,
    peerId: libp2p.peerId,
    presUri: formatPresUri(libp2p.peerId),
    imUri: formatImUri(libp2p.peerId),
    settings,
    datastore,
    home,
    start: async () => {
      await ownDatastore?.open()
      await libp2p.start()
    },
    stop: async () => {
      await libp2p.stop()
      await ownDatastore?.close()
    }
  }
  if (options.start !== false) {
    try {
      await libp2p.start()
    } catch (err) {
      await node.stop().catch(() => {})
      throw err
    }
  }
  return node
}

async function openDatastore (path: string): Promise<LevelDatastore> {
  const datastore = new LevelDatastore(path)
  try {
    await datastore.open()
  } catch (err: any) {
    // LevelDB's lock is the usual cause; datastore-level does not pass the
    // underlying code on, so the message names the likely reason and the path
    throw new HomeInUseError(`Cannot open the datastore ${path}: is another node running with this home? Each node needs its own home. (${err.message})`)
  }
  return datastore
}

function peerIdOf (address: string): string {
  return multiaddr(address).getComponents().findLast(c => c.name === 'p2p')?.value ?? ''
}

function dropUndefined<T extends object> (value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
