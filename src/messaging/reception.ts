/**
 * Deciding on one delivered envelope, and storing it when taken: the part
 * of receiving that direct streams (inbound.ts) and drained mailboxes
 * share. A blocked sender (polite block) goes through the same steps as a
 * stranger, limits included, and only the storing differs: it cannot tell
 * from the answers.
 */
import { MAX_MESSAGE_AGE_MS } from './constants.js'
import { MAX_CLOCK_SKEW_MS } from '../utils/formats.js'
import { MessageTooLargeError } from './errors.js'
import { openMessage, type InstantMessage } from './message.js'
import { Receipt } from './pb/message.js'
import type { Admission } from './admission.js'
import type { Taken } from './inbound.js'
import type { InboxPolicyStore } from './inbox-policy.js'
import type { MessageStore, StoredMessage } from './store.js'
import type { Logger, PeerId } from '@libp2p/interface'

export interface ReceptionInit {
  self: PeerId
  maxBodySize: number
  log: Logger
  store: MessageStore
  admission: Admission
  policyStore: InboxPolicyStore
  /** Whether a sender is among the user's contacts (policy.ts isContact) */
  isContact: (peer: PeerId) => boolean
  /** A new message is in the inbox (duplicates and dropped messages are not) */
  onMessage: (stored: StoredMessage) => void
}

export class Reception {
  private readonly init: ReceptionInit
  /** Messages being taken: a second copy arriving meanwhile waits, then counts as a duplicate */
  private readonly taking = new Map<string, Promise<void>>()

  constructor (init: ReceptionInit) {
    this.init = init
  }

  /**
   * `paced`: delivered directly, so the strangers' rate applies. `storing`
   * is called once a new message's store is under way (not for a duplicate
   * or a refusal): its ack may be signed while the store commits
   */
  async take (envelope: Uint8Array, via: PeerId, paced: boolean, storing?: (message: InstantMessage, envelope: Uint8Array) => void): Promise<Taken> {
    const { self, maxBodySize, store, admission, policyStore, isContact } = this.init
    let message: InstantMessage
    try {
      message = await openMessage(envelope, maxBodySize)
    } catch (err: any) {
      const status = err instanceof MessageTooLargeError ? Receipt.Status.STATUS_TOO_LARGE : Receipt.Status.STATUS_INVALID
      return { status, reason: err.message }
    }
    const now = Date.now()
    if (!message.to.equals(self)) return { status: Receipt.Status.STATUS_INVALID, reason: 'Message is addressed to someone else' }
    if (message.date < now - MAX_MESSAGE_AGE_MS || message.date > now + MAX_CLOCK_SKEW_MS) {
      return { status: Receipt.Status.STATUS_INVALID, reason: 'Message date is outside the accepted window (replayed or clock wrong)' }
    }
    const decision = policyStore.decide(message.from, isContact)
    if (decision === 'refuse') return { status: Receipt.Status.STATUS_REFUSED, reason: 'The recipient does not accept messages from you' }
    const key = `${message.from.toString()}/${message.id}`
    while (this.taking.has(key)) await this.taking.get(key)
    // claimed before anything else is awaited: two copies in flight at once (a retry on a new stream
    // while the first is still being stored) cannot both pass the check below
    let resolve = (): void => {}
    this.taking.set(key, new Promise<void>(done => { resolve = done }))
    try {
      // a duplicate of one taken before (stored, or dropped for a blocked sender): the same receipt again, free
      if (!(await store.seen(message.from, message.id))) {
        const refusal = await admission.take(decision, message.from.toString(), envelope.byteLength, paced)
        if (refusal != null) {
          const status = refusal.kind === 'rate-limited' ? Receipt.Status.STATUS_RATE_LIMITED : Receipt.Status.STATUS_INBOX_FULL
          return { status, reason: refusal.reason }
        }
        const stored = { message, envelope, receivedAt: now }
        const kept = admission.keep(decision, stored)
        storing?.(message, envelope)
        if (await kept) {
          this.init.log('message %s from %p (via %p)', message.id, message.from, via)
          this.init.onMessage(stored)
        }
      }
    } finally {
      this.taking.delete(key)
      resolve()
    }
    // a contact gets a deposit token with the receipt: its mail can always find room in our mailboxes
    return { status: Receipt.Status.STATUS_DELIVERED, message, envelope, contact: decision === 'contact' }
  }
}
