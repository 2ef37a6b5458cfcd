/**
 * Routes about the node itself and its connections.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { nodeStatus } from '../node/node-status.js'
import { ApiError } from './errors.js'
import { route } from './schemas.js'
import type { Route } from './index.js'
import type { PresenceMeshNode } from '../node/create-node.js'

/** How long `connect` may take before the client is told it timed out */
const CONNECT_TIMEOUT_MS = 10_000

export interface IdView {
  peerId: string
  uri: string
  imUri: string
  addresses: string[]
  relay: boolean
  dht: 'client' | 'server'
}

export interface PeerView {
  peerId: string
  address: string
  direction: 'inbound' | 'outbound'
  /** A relayed connection with limits on its data and duration */
  limited: boolean
  openedAt: string
}

export function nodeRoutes (node: PresenceMeshNode): Route[] {
  const { libp2p } = node
  return [
    route('id', async () => ({
      peerId: node.peerId.toString(),
      uri: node.presUri,
      imUri: node.imUri,
      addresses: libp2p.getMultiaddrs().map(ma => ma.toString()),
      relay: node.settings.relay,
      dht: libp2p.services.dht.getMode()
    })),
    // uptime, connections, reservations, mailbox, DHT records and every relay limit: `pmesh node`
    route('node', async () => nodeStatus(node)),
    route('peers', async () => ({
      peers: libp2p.getConnections().map(connection => ({
        peerId: connection.remotePeer.toString(),
        address: connection.remoteAddr.toString(),
        direction: connection.direction,
        limited: connection.limits != null,
        openedAt: new Date(connection.timeline.open).toISOString()
      }))
    })),
    route('connect', async ({ body, signal }) => {
      const text = body.multiaddr
      let address
      try {
        address = multiaddr(text)
      } catch (err: any) {
        throw new ApiError(400, 'bad_request', `"${text}" is not a multiaddr: ${err.message}`)
      }
      try {
        const connection = await libp2p.dial(address, {
          signal: AbortSignal.any([signal, AbortSignal.timeout(CONNECT_TIMEOUT_MS)])
        })
        return { peerId: connection.remotePeer.toString(), address: connection.remoteAddr.toString() }
      } catch (err: any) {
        if (err.name === 'TimeoutError' || err.name === 'AbortError') {
          throw new ApiError(504, 'timeout', `Connecting to ${text} timed out after ${CONNECT_TIMEOUT_MS} ms`)
        }
        throw new ApiError(502, 'dial_failed', `Could not connect to ${text}: ${err.message}`)
      }
    })
  ]
}
