/**
 * Instant messaging: signed messages delivered over a libp2p stream, with a
 * signed receipt, exactly once, under the recipient's inbox policy.
 *
 * It needs the presence and mailbox services under the names `presence` and
 * `mailbox` (libp2p checks them through `serviceDependencies`).
 *
 * @example
 * ```ts
 * // services as in presence()'s example, plus:
 * const node = await createLibp2p({ …, services: { …, presence: presence(), mailbox: mailbox(), im: instantMessaging() } })
 * const result = await node.services.im.send(peerId, { body: 'hello' })
 * // result.status: 'delivered' | 'stored' | 'queued' | 'failed'
 * ```
 */
import { MessagingService } from './messaging.js'
import type { InstantMessage, MessageHeader } from './message.js'
import type { InboxLimitsInit } from './inbox-limits.js'
import type { PartsBudgetInit } from './parts.js'
import type { InboxMode, InboxPolicy, InboxPolicyChange } from './inbox-policy.js'
import type { SentMessage, StoredMessage } from './store.js'
import type { Mailbox } from '../mailbox/index.js'
import type { Presence } from '../presence/index.js'
import type { AbortOptions, ComponentLogger, Libp2pEvents, Metrics, PeerId, PeerStore, PrivateKey, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { Datastore } from 'interface-datastore'

export type { InstantMessage, MessageHeader, InboxMode, InboxPolicy, InboxPolicyChange, InboxLimitsInit, PartsBudgetInit, SentMessage, StoredMessage }
export { IM_PROTOCOL } from './constants.js'

export interface InstantMessagingInit {
  /** Largest body sent or accepted, in bytes, from 1024 to 16777216 (a mailbox carries up to 1 MiB). Default: 1048576 */
  maxBodySize?: number
  /** What is set aside for messages arriving in parts (config.json `messaging`) */
  parts?: PartsBudgetInit
  /** How long `send()` keeps trying before it reports failure. Default: 20000 ms */
  sendTimeout?: number
  /** Time for one delivery attempt (dial, send, receipt). Default: 5000 ms */
  attemptTimeout?: number
  /** Rate and storage limits for senders who are not contacts (config.json `inbox`) */
  inbox?: InboxLimitsInit
}

export interface MessagingComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  peerStore: PeerStore
  datastore: Datastore
  logger: ComponentLogger
  /** peer:connect tells that a recipient messages wait for is back */
  events: TypedEventTarget<Libp2pEvents>
  /** Used for contacts (watched presentities, when the node keeps no contact list) and for the addresses in their records */
  presence: Presence
  /** Where messages for offline recipients are left, and where ours are collected */
  mailbox: Mailbox
  /** The contact list (src/contacts), when the node keeps one: it says who counts as a contact */
  contacts?: { has(peer: PeerId): boolean }
  /** Present when the node collects metrics: outcomes of our messages, messages received */
  metrics?: Metrics
}

export interface OutgoingMessage {
  /** A string is sent as UTF-8 */
  body: Uint8Array | string
  /** Default: `text/plain; charset=utf-8` */
  contentType?: string
  subject?: string
  headers?: MessageHeader[]
  inReplyTo?: string
}

/**
 * `rate-limited`: the recipient takes no more from us for now (the receipt's
 * reason says when); `inbox-full`: it holds all it takes from us, or from
 * strangers, until its user deletes some; `mailbox-refused`: the recipient
 * was unreachable and the mailboxes tried would not hold the message (the
 * detail says why)
 */
export type FailureReason = 'unreachable' | 'mailbox-refused' | 'refused' | 'too-large' | 'timed-out' | 'invalid' | 'rate-limited' | 'inbox-full'

/**
 * `queued`: not reached now (`reason` says why) and no mailbox took it; it
 * waits in the outbox and is sent when the recipient is next seen online
 */
export interface SendResult {
  status: 'delivered' | 'stored' | 'queued' | 'failed'
  reason?: FailureReason
  /** Details for people */
  detail?: string
  id: string
  /** Time from the call to the outcome */
  ms: number
}

export interface Receipt {
  id: string
  to: PeerId
  /** stored: held by a mailbox; `delivered` follows when the recipient collects it; queued: see SendResult */
  status: 'delivered' | 'stored' | 'queued' | 'failed'
  reason?: FailureReason
}

export interface MessagingEvents {
  /** A new message arrived (duplicates do not fire this) */
  message: CustomEvent<StoredMessage>
  /** A message we sent was delivered, stored by a mailbox, or failed (also for messages resumed after a restart) */
  receipt: CustomEvent<Receipt>
}

export interface InstantMessaging extends TypedEventTarget<MessagingEvents> {
  send(to: PeerId, message: OutgoingMessage, options?: AbortOptions): Promise<SendResult>
  inbox(): Promise<StoredMessage[]>
  sent(): Promise<SentMessage[]>
  policy(): InboxPolicy
  /** A partial update: a field left out or `undefined` keeps its value */
  setPolicy(change: InboxPolicyChange): Promise<InboxPolicy>
  allow(peer: PeerId): Promise<InboxPolicy>
  block(peer: PeerId): Promise<InboxPolicy>
  unblock(peer: PeerId): Promise<InboxPolicy>
  /** Delete messages from the inbox (frees a stranger's share); resolves with how many were there */
  deleteMessages(messages: Array<{ from: PeerId, id: string }>): Promise<number>
  /** The largest body sent or accepted, in bytes */
  readonly maxBodySize: number
  /** Bytes reserved now for messages arriving in parts: in all, for non-contacts, and how many senders */
  partsInProgress(): { bytes: number, strangersBytes: number, peers: number }
}

export function instantMessaging (init: InstantMessagingInit = {}): (components: MessagingComponents) => InstantMessaging {
  return (components) => new MessagingService(components, init)
}
