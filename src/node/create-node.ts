/**
 * `createNode()`: one presence-mesh node — a libp2p 3 node with the mesh's
 * transports and DHT, its identity and datastore in its home.
 */
import { nodeAccess, type NodeAccess } from './access.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { LevelDatastore } from 'datastore-level'
import { MemoryDatastore } from 'datastore-core'
import { contacts, type Contacts, type ContactsInit } from '../contacts/index.js'
import { bootstrapFromInvites } from '../contacts/invite.js'
import { InvalidInviteError } from '../contacts/errors.js'
import { instantMessaging, type InstantMessaging, type InstantMessagingInit } from '../messaging/index.js'
import { mailbox, type Mailbox, type MailboxInit } from '../mailbox/index.js'
import { presence, type Presence, type PresenceInit } from '../presence/index.js'
import { formatImUri, formatPresUri } from '../uri/index.js'
import { readConfigFile, mergeSettings, parseHostPort, validateSettings } from './config.js'
import { HomeInUseError, InvalidConfigError } from './errors.js'
import { createMeshLibp2p, type Libp2pParts, type Libp2pServices } from './libp2p-options.js'
import { ensureHome, type HomePaths } from './home.js'
import { loadOrCreateIdentity } from './identity.js'
import { followReservations, logMailboxActivity, opsLog, SILENT_LOG, type LineSink } from './ops-log.js'
import type { OpsServer } from './ops-server.js'
import type { NodeSettings } from './config.js'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'


/** libp2p's services (libp2p-options.ts) and ours on top */
export interface PresenceMeshServices extends Libp2pServices {
  presence: Presence
  mailbox: Mailbox
  im: InstantMessaging
  contacts: Contacts
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
  connectionManager?: Libp2pParts['connectionManager']
  /** Decide which connections are allowed (e.g. refuse inbound direct dials) */
  connectionGater?: Libp2pParts['connectionGater']
  /** Options of the presence service */
  presence?: PresenceInit
  /** Options of the messaging service */
  messaging?: InstantMessagingInit
  /** Where info lines (relay events: ops-log.ts) go, e.g. process.stderr. Default: nowhere */
  logTo?: LineSink
  /** Options of the contact list */
  contacts?: ContactsInit
  /** Mailbox limits (over config.json's `mailbox`); a relay (`relay: true`) keeps mailboxes for others */
  mailbox?: Omit<MailboxInit, 'serve'>
  /** Transports besides TCP and circuit relay (the scale simulation's @libp2p/memory) */
  transports?: Libp2pParts['transports']
  /** The least time, ms, before an unanswered ping closes a connection (Libp2pParts.pingTimeout). Default: libp2p's */
  pingTimeout?: number
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
  /** When the node last started (ms since the epoch) */
  readonly startedAt: number
  /** Who may see our presence and write to us: the rules that span presence and messaging (access.ts) */
  readonly access: NodeAccess
  /** `http://HOST:PORT` of the metrics and health endpoint, while it runs (`metrics` setting) */
  readonly metricsUrl?: string
  start(): Promise<void>
  /** Stop libp2p, then close the datastore it was writing to */
  stop(): Promise<void>
}

export async function createNode (options: CreateNodeOptions = {}): Promise<PresenceMeshNode> {
  const home = options.home != null ? await ensureHome(options.home) : undefined
  const fileSettings = home != null ? await readConfigFile(home.config) : {}
  const { listen, bootstrap: bootstrapList, relay, apiPort, firewalled, private: privateAddressing, pingInterval, dhtServer, inbox, mailbox: mailboxLimits, dht, streams, join } = options
  const { announce, metrics, logFormat, relayLimits, connections } = options
  const settings = mergeSettings(fileSettings, validateSettings(dropUndefined({ listen, bootstrap: bootstrapList, relay, apiPort, firewalled, private: privateAddressing, pingInterval, dhtServer, inbox, mailbox: mailboxLimits, dht, streams, announce, metrics, logFormat, relayLimits, connections, join }), 'options'))
  if (settings.announce.length > 0 && (settings.firewalled || settings.private)) {
    throw new InvalidConfigError('"announce" cannot be used on a firewalled or private node: it is reached through its relays\' addresses only')
  }
  // the maxConnections in effect, a knob of the code (the bench) over config.json's, as `pmesh node` reports it
  if (options.maxConnections != null) settings.connections = { ...settings.connections, maxConnections: options.maxConnections }
  // a community invitation's relays join the bootstrap peers (src/contacts/invite.ts)
  if (settings.join.length > 0) {
    const joined = await bootstrapFromInvites(settings.join).catch((err: Error) => {
      throw err instanceof InvalidInviteError ? new InvalidConfigError(`"join": ${err.message}`) : err
    })
    settings.bootstrap = [...new Set([...settings.bootstrap, ...joined])]
  }
  const log = options.logTo != null ? opsLog(options.logTo, settings.logFormat) : SILENT_LOG
  // prom-client and the exporter are loaded only by a node that serves metrics
  const nodeMetrics = settings.metrics != null ? (await import('./metrics.js')).createNodeMetrics() : undefined

  const privateKey = options.privateKey ??
    (home != null ? await loadOrCreateIdentity(home.identityKey) : await generateKeyPair('Ed25519'))
  // a datastore handed in by the caller is theirs to close; ours we close on stop
  const ownDatastore = options.datastore == null && home != null ? await openDatastore(home.datastore) : undefined
  const datastore = options.datastore ?? ownDatastore ?? new MemoryDatastore()

  let libp2p: Libp2p<PresenceMeshServices>
  try {
    // transports, DHT, limits: libp2p-options.ts, shared with the bench's baselines
    const parts: Libp2pParts = { privateKey, datastore, maxConnections: options.maxConnections, connectionManager: options.connectionManager, connectionGater: options.connectionGater, metrics: nodeMetrics?.factory, transports: options.transports, pingTimeout: options.pingTimeout }
    libp2p = await createMeshLibp2p(settings, parts, {
      // after dht: it uses it
      // our will goes to our bootstrap peers and relays; a node with none leaves it with the DHT servers it dialled
      presence: presence({ willsToDialled: settings.bootstrap.length === 0, ...settings.presence, ...options.presence }),
      mailbox: mailbox({ ...settings.mailbox, serve: settings.relay, onActivity: settings.relay ? logMailboxActivity(log) : undefined }),
      // after presence and mailbox: contacts, recipients' addresses and offline delivery come from them
      // config.json's `messaging` and `inbox` limits, then any given in code
      im: instantMessaging(messagingInit(settings, options.messaging)),
      // after presence and im: it keeps subscriptions, and im asks it who counts as a contact
      contacts: contacts(options.contacts)
    })
  } catch (err) {
    await ownDatastore?.close()
    throw err
  }

  if (libp2p.services.relay != null) followReservations(libp2p.services.relay, log, libp2p.metrics)
  let startedAt = Date.now()
  let ops: OpsServer | undefined
  const startOps = async (): Promise<void> => {
    if (nodeMetrics == null || settings.metrics == null) return
    const { host, port } = parseHostPort(settings.metrics, '"metrics"')
    const { startOpsServer } = await import('./ops-server.js')
    ops = await startOpsServer(node, nodeMetrics.registry, host, port)
  }
  const node: PresenceMeshNode = {
    libp2p,
    peerId: libp2p.peerId,
    presUri: formatPresUri(libp2p.peerId),
    imUri: formatImUri(libp2p.peerId),
    settings,
    datastore,
    home,
    get startedAt () { return startedAt },
    access: nodeAccess(libp2p.services.presence, libp2p.services.im),
    get metricsUrl () { return ops?.url },
    start: async () => {
      await ownDatastore?.open()
      await libp2p.start()
      startedAt = Date.now()
      await startOps()
    },
    stop: async () => {
      await ops?.close()
      ops = undefined
      await libp2p.stop()
      await ownDatastore?.close()
    }
  }
  if (libp2p.metrics != null) (await import('./metrics.js')).registerNodeMetrics(node, libp2p.metrics)
  if (options.start !== false) {
    try {
      await libp2p.start()
      startedAt = Date.now()
      await startOps()
    } catch (err) {
      // the start's error is the one to report; a stop of a half-started node may fail as well
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

function dropUndefined<T extends object> (value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** The messaging service's options: config.json's `messaging` and `inbox` sections, then any given in code */
function messagingInit (settings: NodeSettings, given: InstantMessagingInit = {}): InstantMessagingInit {
  const { maxBodySize, ...parts } = settings.messaging
  return {
    ...given,
    maxBodySize: given.maxBodySize ?? maxBodySize,
    parts: { ...parts, ...given.parts },
    inbox: { ...settings.inbox, ...given.inbox }
  }
}
