/**
 * Mailboxes: always-on community nodes keep sealed messages for recipients
 * that are offline, and hand them over when the recipient connects.
 */
import { MailboxService } from './mailbox.js'
import type { ComponentLogger, Libp2pEvents, PeerId, PeerStore, TypedEventTarget, AbortOptions } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { Datastore } from 'interface-datastore'

export { DEPOSIT_PROTOCOL, DRAIN_PROTOCOL, NOTIFY_PROTOCOL } from './constants.js'
export { seal, open, SealedBoxError } from './sealed-box.js'

export interface MailboxInit {
  /** Keep mailboxes for others (the relay role). Default: false */
  serve?: boolean
  /** Items kept per recipient. Default: 200 */
  quotaItems?: number
  /** Bytes kept per recipient. Default: 4 MiB */
  quotaBytes?: number
  /** How long an item waits for its recipient, in ms. Default: 7 days */
  ttl?: number
}

export interface MailboxComponents {
  peerId: PeerId
  registrar: Registrar
  connectionManager: ConnectionManager
  peerStore: PeerStore
  datastore: Datastore
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

export type DepositResult = { status: 'stored', mailbox: PeerId, expiresAt: number } | { status: 'refused' | 'quota' | 'too-large' | 'unreachable', mailbox?: PeerId, reason: string }

/** Takes one drained box; the mailbox deletes it only once this resolves */
export type MailHandler = (box: Uint8Array, mailbox: PeerId) => Promise<void>

export interface Mailbox {
  /** Leave a sealed box for `recipient` at `mailbox` */
  deposit(mailbox: PeerId, recipient: PeerId, box: Uint8Array, options?: AbortOptions): Promise<DepositResult>
  /**
   * Who takes our drained mail. Mailboxes are drained when a mailbox peer
   * connects (and when `drain` is called), only once a handler is set.
   */
  handle(handler: MailHandler): void
  /** Fetch what `mailbox` holds for us, hand each box to the handler, delete what it took. Resolves with how many */
  drain(mailbox: PeerId, options?: AbortOptions): Promise<number>
  /** Connected peers that keep mailboxes */
  mailboxPeers(): Promise<PeerId[]>
}

export function mailbox (init: MailboxInit = {}): (components: MailboxComponents) => Mailbox {
  return (components) => new MailboxService(components, init)
}
