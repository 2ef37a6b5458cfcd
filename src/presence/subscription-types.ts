/**
 * The shapes the watcher's subscription files share (subscriptions.ts, the
 * state machine; subscription-store.ts, subscription-timers.ts,
 * presentity-requests.ts) and the service builds them with.
 */
import type { Access } from './access/keyring.js'
import type { PresenceRecord } from './record.js'
import type { Libp2pEvents, PeerId, PeerStore, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { Datastore } from 'interface-datastore'

export interface Subscription {
  target: PeerId
  transactionId: string
  /** When the watcher's requested duration ends (ms since the epoch) */
  until: number
  /** When the presentity's grant ends; 0 while not registered with it */
  grantedUntil: number
  /** The presentity's last answer: its user has not decided on us yet (RFC 2779 §5.1.10) */
  awaitingApproval?: boolean
  createdAt: number
}

export interface SubscribeResult {
  /** pending: the presentity's user has not decided yet; the subscription waits for it */
  status: 'success' | 'failure' | 'pending'
  transactionId: string
  /** Seconds granted */
  duration: number
  reason?: string
  /** The current state as we may see it, when known */
  record?: PresenceRecord
  access?: Access
}

export type EndReason = 'expired' | 'cancelled' | 'refused'

export interface SubscriptionsComponents {
  datastore: Datastore
  peerStore: PeerStore
  connectionManager: ConnectionManager
  registrar: Registrar
  events: TypedEventTarget<Libp2pEvents>
}

export interface SubscriptionsInit {
  /** Longest subscription a watcher may ask for, in seconds */
  maxDuration: number
  /**
   * The newest record known for a presentity (what was pushed to us, else
   * the DHT); undefined if the DHT answered that it holds none, a rejection
   * if nobody answered
   */
  fetch(target: PeerId, signal: AbortSignal, background?: boolean): Promise<Uint8Array | undefined>
  notify(subscription: Subscription, record: PresenceRecord | undefined, access: Access | undefined): void
  ended(subscription: Subscription, reason: EndReason): void
  /** A request to a presentity is over: the connection to it may be closed now */
  exchanged(target: PeerId): void
}
