/**
 * `createNode()`: one presence-mesh node — a libp2p 3 node with the mesh's
 * transports and DHT, its identity and datastore in its home.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { LevelDatastore } from 'datastore-level'
import { MemoryDatastore } from 'datastore-core'
import { instantMessaging, type InstantMessaging, type InstantMessagingInit } from '../messaging/index.js'
import { mailbox, type Mailbox, type MailboxInit } from '../mesh/index.js'
import { presence, type Presence, type PresenceInit } from '../presence/index.js'
import { formatImUri, formatPresUri } from '../uri/index.js'
import { readConfigFile, mergeSettings, validateSettings } from './config.js'
import { HomeInUseError } from './errors.js'
import { createMeshLibp2p, type Libp2pParts, type Libp2pServices } from './libp2p-options.js'
import { ensureHome, type HomePaths } from './home.js'
import { loadOrCreateIdentity } from './identity.js'
import type { NodeSettings } from './config.js'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'


/** libp2p's services (libp2p-options.ts) and ours on top */
export interface PresenceMeshServices extends Libp2pServices {
  presence: Presence
  mailbox: Mailbox
  im: InstantMessaging
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

  const privateKey = options.privateKey ??
    (home != null ? await loadOrCreateIdentity(home.identityKey) : await generateKeyPair('Ed25519'))
  // a datastore handed in by the caller is theirs to close; ours we close on stop
  const ownDatastore = options.datastore == null && home != null ? await openDatastore(home.datastore) : undefined
  const datastore = options.datastore ?? ownDatastore ?? new MemoryDatastore()

  let libp2p: Libp2p<PresenceMeshServices>
  try {
    // transports, DHT, limits: libp2p-options.ts, shared with the bench's baselines
    const parts: Libp2pParts = { privateKey, datastore, maxConnections: options.maxConnections, connectionManager: options.connectionManager, connectionGater: options.connectionGater, relayLimits: options.relayLimits }
    libp2p = await createMeshLibp2p(settings, parts, {
      // after dht: it uses it
      // our will goes to our bootstrap peers and relays; a node with none leaves it with the DHT servers it dialled
      presence: presence({ willsToDialled: settings.bootstrap.length === 0, ...settings.presence, ...options.presence }),
      mailbox: mailbox({ ...settings.mailbox, serve: settings.relay }),
      // after presence and mailbox: contacts, recipients' addresses and offline delivery come from them
      // config.json's `inbox` limits, then any given in code
      im: instantMessaging({ ...options.messaging, inbox: { ...settings.inbox, ...options.messaging?.inbox } })
    })
  } catch (err) {
    await ownDatastore?.close()
    throw err
  }

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

function dropUndefined<T extends object> (value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
