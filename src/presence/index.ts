/**
 * Presence: signed presence records in the DHT, changes pushed by each
 * presentity to its watchers, CPIM subscriptions, and out-of-contact
 * detection through wills.
 *
 * It needs kad-dht built with its validators and selectors (`presenceDhtInit`,
 * over the node's own datastore, or start fails with MissingDhtWiringError)
 * and identify; libp2p checks both through `serviceDependencies`.
 *
 * @example
 * ```ts
 * const datastore = new MemoryDatastore()   // or a LevelDatastore, to keep state
 * const node = await createLibp2p({
 *   datastore,
 *   addresses: { listen: ['/ip4/0.0.0.0/tcp/0'] },
 *   transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()],
 *   services: {
 *     identify: identify(), ping: ping(),
 *     dht: kadDHT({ protocol: '/presence-mesh/kad/1.0.0', ...presenceDhtInit(datastore) }),
 *     presence: presence()
 *   }
 * })
 * await node.services.presence.publish({ availability: 'busy', note: { text: 'in a meeting' } })
 * ```
 */
import { PresenceService } from './presence.js'
import type { PresenceUpdate } from './own-presence.js'
import type { PresenceRecord } from './record.js'
import type { SubscribeResult, Subscription } from './subscription-types.js'
import type { Watcher } from './watchers.js'
import type { Verdict } from './push-verdicts.js'
import type { Access, Revealed } from './access/keyring.js'
import type { AccessPolicy, DefaultPolicy } from './access/policy.js'
import type { ViewName } from './access/views.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { AbortOptions, ComponentLogger, Libp2pEvents, Metrics, PeerId, PeerStore, PrivateKey, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Datastore } from 'interface-datastore'

export type { PresenceUpdate, PresenceRecord, SubscribeResult, Subscription, Watcher, Access, Revealed, AccessPolicy, ViewName }
export { DHT_DATASTORE_PREFIX, presenceDhtInit, presenceDhtValidators, presenceDhtSelectors } from './wiring.js'
export { PRESENCE_CAPABILITY } from './constants.js'
export { MissingDhtWiringError } from './errors.js'

export interface PresenceInit {
  /** How long a record stays current; it is republished at half this. Default: 1 hour */
  recordTtl?: number
  /** How long a neighbour waits for a lost presentity to come back before publishing its will. Default: 2000 ms */
  willGrace?: number
  /**
   * Longest subscription this node grants its watchers, in seconds; they
   * renew before it ends, and one that vanished without cancelling is listed
   * (and pushed to) until then. Default: 3600, the default of SIP presence
   * (RFC 3856 §6.4): each renewal may have to dial us again (see `hangUp`)
   */
  maxGrantedDuration?: number
  /**
   * Most watchers this node keeps; beyond it a new watcher without a rule of
   * the user's (allow, deny, block) is refused with "too many watchers", so
   * strangers with fresh identities cannot grow the list without bound.
   * Default: 2000
   */
  maxWatchers?: number
  /** Longest subscription a watcher here may ask for, in seconds. Default: 30 days */
  maxSubscriptionDuration?: number
  /** Announce "open" (keeping the last availability and note) when the node starts. Default: true */
  publishOnStart?: boolean
  /**
   * Close a connection opened only to subscribe, renew or push once the
   * exchange is over, unless something else needs it
   * (src/presence/hang-up.ts): a node's connections at rest then follow its
   * infrastructure, not its contacts. Default: true
   */
  hangUp?: boolean
  /**
   * With `hangUp`, also close any connection that has had no stream in use
   * for this long (ms), under the same rule, whoever opened it and for
   * whatever (a DHT lookup, a message, a stranger): a relay's connections
   * then follow its clients, not the nodes that once asked it something.
   * 0: never. Default: 10000 on a DHT client, 120000 on a DHT server
   */
  idleTimeout?: number
  /**
   * Our will goes to our bootstrap peers and the relays we hold reservations
   * on; with this, also to the DHT servers we dialled ourselves — for a node
   * that has neither (a mesh joined by hand). Default: true; createNode sets
   * it only for a node without bootstrap peers
   */
  willsToDialled?: boolean
  /**
   * How often (ms) we look for our own will in the DHT, where a holder may
   * have put it without pushing it; 0: never. Default: 600000 (10 minutes)
   */
  willCheckInterval?: number
  /**
   * The access default (public, ask, deny) of a node whose user has set none
   * yet; the user's choice, once stored, wins. Default: public. An XMPP
   * gateway's identities use ask: each XMPP user approves its watchers
   */
  defaultPolicy?: DefaultPolicy
}

export interface PresenceComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  addressManager: AddressManager
  peerStore: PeerStore
  events: TypedEventTarget<Libp2pEvents>
  datastore: Datastore
  logger: ComponentLogger
  dht: KadDHT
  /** Present when the node collects metrics: pushes by verdict, notifies, records published */
  metrics?: Metrics
}

export interface NotifyEvent {
  target: PeerId
  transactionId: string
  /** As we may see it; undefined when nothing is known of the presentity yet */
  record?: PresenceRecord
  access?: Access
}

export interface PresenceEvents {
  /** CPIM notify: the current state of a watched presentity, or a change of it */
  notify: CustomEvent<NotifyEvent>
  /** A subscription of ours ended (its duration ran out, or it was cancelled) */
  'subscription:end': CustomEvent<{ target: PeerId, transactionId: string, reason: 'expired' | 'cancelled' | 'refused' }>
  /** Someone started, renewed or stopped watching us */
  watcher: CustomEvent<{ peerId: PeerId, change: 'added' | 'renewed' | 'cancelled' | 'expired' }>
  /** Someone asks to watch us and the policy says to ask the user (default "ask") */
  request: CustomEvent<{ peerId: PeerId, transactionId: string }>
  /** We published a new record of our own */
  change: CustomEvent<PresenceRecord>
}

export interface Presence extends TypedEventTarget<PresenceEvents> {
  /** Our current record, if we have published one */
  readonly current: PresenceRecord | undefined
  /** Sign and publish a change of our presence (pushed to our watchers now, DHT in the background) */
  publish(update: PresenceUpdate, options?: AbortOptions): Promise<PresenceRecord>
  /**
   * The newest record of a presentity, from the network or the DHT while it
   * is offline, as we may see it. Throws AccessRefusedError if it refuses us.
   */
  fetch(target: PeerId, options?: AbortOptions): Promise<PresenceRecord>
  /**
   * When a presentity we watch was lost: a will of it arrived while we saw
   * it open (the will's own time is its last change, not the loss)
   */
  lostAt(target: PeerId): number | undefined
  /** Like fetch, saying how we came to see it (public, granted, restricted, refused); never throws a refusal */
  lookup(target: PeerId, options?: AbortOptions): Promise<Revealed>
  /**
   * Where a presentity says it can be reached (public in every record).
   * `askPresentity: false`: from what was pushed to us and the DHT only — for
   * a sender whose dial to the presentity just failed, asking it would wait
   * on that same dial
   */
  addresses(target: PeerId, options?: AbortOptions & { askPresentity?: boolean }): Promise<Multiaddr[]>
  /** CPIM subscribe; duration in seconds, 0 = fetch once (and cancel an active subscription) */
  subscribe(target: PeerId, options: { duration: number } & AbortOptions): Promise<SubscribeResult>
  /** Cancel our subscription to a presentity; false if there was none */
  unsubscribe(target: PeerId): Promise<boolean>
  subscriptions(): Subscription[]
  /** Who watches us */
  watchers(): Watcher[]
  /**
   * Let another key (our other device) publish our presence until
   * `expiresAt`; returns the signed delegation to hand to it. Only while our
   * presence is public: a delegate cannot seal views.
   */
  delegate(delegate: PeerId, expiresAt: number): Promise<Uint8Array>
  /** As a delegate: publish a change of `presentity`'s presence, signed by us with its delegation */
  publishFor(presentity: PeerId, delegation: Uint8Array, update: PresenceUpdate, options?: AbortOptions): Promise<PresenceRecord>
  /** Our access policy: default, per-watcher rules, requests waiting for a decision */
  policy(): AccessPolicy
  /** public | ask | deny, for watchers without a rule */
  setDefaultPolicy(policy: string): Promise<AccessPolicy>
  /** Let a watcher see a view (default full); approves its waiting request */
  allow(watcher: PeerId, view?: ViewName): Promise<AccessPolicy>
  /** Refuse a watcher and tell it; ends its subscription */
  deny(watcher: PeerId): Promise<AccessPolicy>
  /** Politely block: it seems subscribed and only ever sees "closed" */
  block(watcher: PeerId): Promise<AccessPolicy>
  /** Withdraw a watcher's rule and end its subscription; the default decides its next request */
  revoke(watcher: PeerId): Promise<AccessPolicy>
  /** Verdicts on records pushed to us so far */
  readonly verdicts: Record<Verdict, number>
}

export function presence (init: PresenceInit = {}): (components: PresenceComponents) => Presence {
  return (components) => new PresenceService(components, init)
}
