/**
 * What an operator asks of a running node: its health (`/healthz`) and its
 * state and limits (`pmesh node`, `/v1/node`). Both read only the node's
 * public surface. Health carries no personal data: no peer id, address or
 * contact, only whether the node can be reached and reach the mesh.
 */
import { readFile } from 'node:fs/promises'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { DEFAULT_MAILBOX_LIMITS } from '../mailbox/constants.js'
import { DHT_DATASTORE_PREFIX } from '../presence/index.js'
import { DEFAULT_DHT_MAX_RECORDS, DEFAULT_MAX_CONNECTIONS, INBOUND_CONNECTION_THRESHOLD, MAX_INCOMING_PENDING_CONNECTIONS, MAX_INCOMING_PENDING_PER_ADDRESS, RELAY_DATA_LIMIT_BYTES, RELAY_DURATION_LIMIT_MS, RELAY_MAX_RESERVATIONS, RELAY_RESERVATION_TAG, RELAY_RESERVATION_TTL_MS } from './constants.js'
import { DEFAULT_STREAM_SETTINGS } from './stream-limits.js'
import { packageFile } from '../utils/package-root.js'
import type { PresenceMeshNode } from './create-node.js'
import type { ConnectionLimits, RelayLimits } from './config-limits.js'
import type { StreamSettings } from './stream-limits.js'
import type { MailboxLimits } from '../mailbox/index.js'
import type { Libp2p } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

export interface Health {
  status: 'ok' | 'unhealthy'
  checks: {
    /** The node has an address others can reach it at (a listener, or a circuit address behind relays) */
    listening: boolean
    /** A node that joins through bootstrap peers is connected to one of them or holds a relay reservation; absent on a relay or seed */
    mesh?: boolean
  }
}

/** Every limit a relay applies, as in effect (config.json or the defaults) */
export interface LimitsInEffect {
  relayLimits: RelayLimits
  mailbox: MailboxLimits
  connections: ConnectionLimits
  streams: StreamSettings
  dht: { maxRecords: number }
}

export interface NodeStatus {
  version: string
  uptimeSeconds: number
  role: 'relay' | 'private' | 'firewalled' | 'node'
  health: Health
  connections: { total: number, inbound: number, outbound: number, relayed: number }
  reservations: { held: number, given: number }
  mailbox: { items: number, bytes: number }
  dht: { mode: 'client' | 'server', records: number }
  relayedBytes: number
  /** Inbound streams aborted since start, per protocol */
  streamRefusals: Record<string, number>
  limits: LimitsInEffect
}

export async function nodeHealth (node: PresenceMeshNode): Promise<Health> {
  const { libp2p, settings } = node
  const listening = libp2p.status === 'started' && libp2p.getMultiaddrs().length > 0
  // a relay, or a seed that others bootstrap from, is healthy when it can be reached
  const desktop = !settings.relay && settings.bootstrap.length > 0
  if (!desktop) return { status: listening ? 'ok' : 'unhealthy', checks: { listening } }
  const bootstrapPeers = settings.bootstrap.map(address => multiaddr(address).getComponents().findLast(c => c.name === 'p2p')?.value).filter(id => id != null)
  const mesh = bootstrapPeers.some(id => libp2p.getConnections(peerIdFromString(id)).length > 0) || await reservationsHeld(libp2p) > 0
  return { status: listening && mesh ? 'ok' : 'unhealthy', checks: { listening, mesh } }
}

export async function nodeStatus (node: PresenceMeshNode): Promise<NodeStatus> {
  const { libp2p, settings } = node
  const connections = libp2p.getConnections()
  const usage = libp2p.services.mailbox.usage()
  return {
    version: await version(),
    uptimeSeconds: Math.round((Date.now() - node.startedAt) / 1000),
    role: settings.relay ? 'relay' : settings.private ? 'private' : settings.firewalled ? 'firewalled' : 'node',
    health: await nodeHealth(node),
    connections: {
      total: connections.length,
      inbound: connections.filter(c => c.direction === 'inbound').length,
      outbound: connections.filter(c => c.direction === 'outbound').length,
      relayed: connections.filter(c => c.limits != null).length
    },
    reservations: { held: await reservationsHeld(libp2p), given: libp2p.services.relay?.reservations.size ?? 0 },
    mailbox: usage,
    dht: { mode: libp2p.services.dht.getMode(), records: await countDhtRecords(node.datastore) },
    relayedBytes: libp2p.services.streamLimits.relayedBytes(),
    streamRefusals: libp2p.services.streamLimits.refused(),
    limits: limitsInEffect(node)
  }
}

export function limitsInEffect ({ settings }: Pick<PresenceMeshNode, 'settings'>): LimitsInEffect {
  return {
    relayLimits: {
      maxReservations: RELAY_MAX_RESERVATIONS,
      reservationTtlMs: RELAY_RESERVATION_TTL_MS,
      durationMs: RELAY_DURATION_LIMIT_MS,
      dataBytes: Number(RELAY_DATA_LIMIT_BYTES),
      ...settings.relayLimits
    },
    mailbox: { ...DEFAULT_MAILBOX_LIMITS, ...settings.mailbox },
    connections: {
      maxConnections: DEFAULT_MAX_CONNECTIONS,
      maxIncomingPending: MAX_INCOMING_PENDING_CONNECTIONS,
      maxIncomingPendingPerAddress: MAX_INCOMING_PENDING_PER_ADDRESS,
      inboundPerAddressPerSecond: INBOUND_CONNECTION_THRESHOLD,
      ...settings.connections
    },
    streams: { ...DEFAULT_STREAM_SETTINGS, ...settings.streams },
    dht: { maxRecords: settings.dht.maxRecords ?? DEFAULT_DHT_MAX_RECORDS }
  }
}

/** Relays this node holds a reservation on: circuit-relay-v2 tags each of them */
export async function reservationsHeld (libp2p: Libp2p): Promise<number> {
  const peers = new Set(libp2p.getConnections().map(c => c.remotePeer.toString()))
  let held = 0
  for (const peer of libp2p.getPeers().filter(p => peers.has(p.toString()))) {
    const data = await libp2p.peerStore.get(peer).catch(() => undefined)
    if (data?.tags.has(RELAY_RESERVATION_TAG) === true) held++
  }
  return held
}

/** Records in the DHT store, read from the datastore: kad-dht keeps one key per record */
export async function countDhtRecords (datastore: Datastore): Promise<number> {
  let count = 0
  for await (const key of datastore.queryKeys({ prefix: `${DHT_DATASTORE_PREFIX}/record/` })) {
    void key
    count++
  }
  return count
}

let packageVersion: string | undefined

/** This package's version, from its package.json */
async function version (): Promise<string> {
  packageVersion ??= await readFile(packageFile('package.json'), 'utf8')
    .then(text => String(JSON.parse(text).version), () => 'unknown')
  return packageVersion
}
