/**
 * Mailboxes: always-on community nodes keep sealed messages for recipients
 * that are offline, and hand them over when the recipient connects.
 */
import { MailboxService } from './mailbox.js'
import type { ComponentLogger, Libp2pEvents, Metrics, PeerId, PeerStore, TypedEventTarget, AbortOptions } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { Datastore } from 'interface-datastore'

export { DEPOSIT_PROTOCOL, DRAIN_PROTOCOL, NOTIFY_PROTOCOL, DEFAULT_MAILBOX_LIMITS } from './constants.js'
export { seal, open, SealedBoxError } from './sealed-box.js'
export { signDepositToken, verifyDepositToken } from './deposit-token.js'
export { DepositTokenError } from './errors.js'

/** What a relay keeps; defaults in DEFAULT_MAILBOX_LIMITS (constants.ts) */
export interface MailboxLimits {
  /** Items kept per recipient. Default: 200 */
  boxItems: number
  /** Bytes kept per recipient. Default: 4 MiB */
  boxBytes: number
  /** The fraction of a box (items and bytes) one depositor without a token may fill. Default: 1/8 */
  senderShare: number
  /** The fraction of each box, and of the relay, that depositors without a token may fill together. Default: 1/2 */
  strangersShare: number
  /** Items one depositor may have waiting across all boxes. Default: 400 */
  depositorItems: number
  /** Bytes one depositor may have waiting across all boxes. Default: 16 MiB */
  depositorBytes: number
  /** Items the relay keeps in all. Default: 50,000 */
  totalItems: number
  /** Bytes the relay keeps in all. Default: 1 GiB */
  totalBytes: number
  /** How long an item waits for its recipient, in ms. Default: 7 days */
  ttlMs: number
}

/** What a serving mailbox did, for the operator's log: counts and sizes, never contents or parties */
export type MailboxActivity =
  | { type: 'deposit', outcome: 'stored' | DepositRefusal, bytes: number, heldItems: number, heldBytes: number }
  | { type: 'drain', items: number, heldItems: number, heldBytes: number }

export interface MailboxInit extends Partial<MailboxLimits> {
  /** Keep mailboxes for others (the relay role). Default: false */
  serve?: boolean
  /** Told of each deposit and drain a serving mailbox handles (createNode logs them) */
  onActivity?: (activity: MailboxActivity) => void
}

export interface DepositOptions extends AbortOptions {
  /** The recipient's deposit token for us: the box goes into the part kept for its contacts */
  token?: Uint8Array
}

export interface MailboxComponents {
  peerId: PeerId
  registrar: Registrar
  connectionManager: ConnectionManager
  peerStore: PeerStore
  datastore: Datastore
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  /** Present when the node collects metrics (`metrics` in config.json) */
  metrics?: Metrics
}

/**
 * Why a mailbox did not take a box: `box-full` (the recipient's box, or the part of it open to
 * depositors without a token), `share-used` (our share of that box), `depositor-quota` (all we
 * have waiting on that relay), `relay-full`, `token-invalid`, `too-large`, `refused` (no mailbox
 * here), `unreachable` (no answer)
 */
export type DepositRefusal = 'box-full' | 'share-used' | 'depositor-quota' | 'relay-full' | 'token-invalid' | 'too-large' | 'refused' | 'unreachable'

/** `contact`: stored in the part of the box kept for the recipient's contacts (our token was accepted) */
export type DepositResult = { status: 'stored', mailbox: PeerId, expiresAt: number, contact: boolean } | { status: DepositRefusal, mailbox?: PeerId, reason: string }

/** Takes one drained box; the mailbox deletes it only once this resolves */
export type MailHandler = (box: Uint8Array, mailbox: PeerId) => Promise<void>

export interface Mailbox {
  /** Leave a sealed box for `recipient` at `mailbox` */
  deposit(mailbox: PeerId, recipient: PeerId, box: Uint8Array, options?: DepositOptions): Promise<DepositResult>
  /**
   * Who takes our drained mail. Mailboxes are drained when a mailbox peer
   * connects (and when `drain` is called), only once a handler is set.
   */
  handle(handler: MailHandler): void
  /** Fetch what `mailbox` holds for us, hand each box to the handler, delete what it took. Resolves with how many */
  drain(mailbox: PeerId, options?: AbortOptions): Promise<number>
  /** Connected peers that keep mailboxes */
  mailboxPeers(): Promise<PeerId[]>
  /** What this node keeps for others in all (nothing unless it serves mailboxes) */
  usage(): { items: number, bytes: number }
}

export function mailbox (init: MailboxInit = {}): (components: MailboxComponents) => Mailbox {
  return (components) => new MailboxService(components, init)
}
