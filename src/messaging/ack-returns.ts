/**
 * Acks of mailed messages, on their way back. A node that drains its
 * mailbox owes each sender an acknowledgement sealed to it and left in the
 * mailbox it drained. The messages of one sender stored together (a
 * drained batch) are acknowledged together: one signed BatchAck, one sealed
 * box, one deposit, instead of a signature, a seal and a deposit stream
 * per message, which paced the draining of a full mailbox. The deposits go
 * out after the messages are stored, a few at a time. Best effort, as
 * before: an ack that cannot be left is logged, and its sender still has
 * the message marked as held by a mailbox.
 */
import type { DepositTokens } from './deposit-tokens.js'
import type { BatchAck } from './pb/message.js'
import type { Mailbox } from '../mailbox/index.js'
import type { Logger, PeerId } from '@libp2p/interface'

/** Deposits of acks at once */
const CONCURRENCY = 4
/**
 * Messages one ack names at most: a box of 256 ids (64 bytes at most) and
 * digests stays far below the mailbox's box limit
 */
export const MAX_ACK_ENTRIES = 256
/** Acks gather this long after the first of a group is owed: a drained batch finishes storing within it */
const GATHER_MS = 20
/** Messages owed an ack at most; beyond, the oldest group is dropped (mailboxes hold a few hundred per depositor anyway) */
const MAX_WAITING = 4096

interface Group { mailbox: PeerId, sender: PeerId, entries: BatchAck.Entry[], contact: boolean }

export interface AckReturnsInit {
  mailbox: Mailbox
  tokens: DepositTokens
  log: Logger
  /** The box to leave for `sender`: its signed BatchAck of `entries`, sealed to it (with a deposit token for a contact) */
  seal: (sender: PeerId, entries: BatchAck.Entry[], contact: boolean) => Promise<Uint8Array>
}

export class AckReturns {
  private readonly init: AckReturnsInit
  /** Groups still gathering, by mailbox and sender */
  private readonly gathering = new Map<string, Group>()
  private readonly ready: Group[] = []
  private waiting = 0
  private timer?: ReturnType<typeof setTimeout>
  private active = 0

  constructor (init: AckReturnsInit) {
    this.init = init
  }

  /** `entry` (a message from `sender`, drained from `mailbox`) is stored: acknowledge it soon */
  add (mailbox: PeerId, sender: PeerId, entry: BatchAck.Entry, contact: boolean): void {
    const key = `${mailbox.toString()}/${sender.toString()}`
    let group = this.gathering.get(key)
    if (group == null) this.gathering.set(key, group = { mailbox, sender, entries: [], contact })
    group.entries.push(entry)
    group.contact ||= contact
    this.waiting++
    if (group.entries.length >= MAX_ACK_ENTRIES) {
      this.gathering.delete(key)
      this.enqueue(group)
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined
      for (const gathered of this.gathering.values()) this.enqueue(gathered)
      this.gathering.clear()
    }, GATHER_MS)
  }

  private enqueue (group: Group): void {
    this.ready.push(group)
    while (this.waiting > MAX_WAITING && this.ready.length > 1) {
      const dropped = this.ready.shift() as Group
      this.waiting -= dropped.entries.length
      this.init.log('too many acks waiting to be returned: dropped %d for %p', dropped.entries.length, dropped.sender)
    }
    // work() never rejects: a deposit that fails is logged there
    if (this.active < CONCURRENCY) void this.work()
  }

  private async work (): Promise<void> {
    this.active++
    try {
      for (let next = this.ready.shift(); next != null; next = this.ready.shift()) {
        this.waiting -= next.entries.length
        const { mailbox, sender, entries, contact } = next
        const result = await this.init.seal(sender, entries, contact)
          .then(async box => this.init.tokens.deposit(this.init.mailbox, mailbox, sender, box))
          .catch((err: Error) => ({ status: 'unreachable' as const, reason: err.message }))
        if (result.status !== 'stored') this.init.log('could not return the ack of %d messages to %p: %s', entries.length, sender, result.reason)
      }
    } finally {
      this.active--
    }
  }
}
