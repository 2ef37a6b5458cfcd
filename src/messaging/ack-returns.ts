/**
 * Acks of mailed messages, on their way back. A node that drains its
 * mailbox owes each sender an ack sealed to it and left in the mailbox it
 * drained; those deposits go out here, a few at a time, after the messages
 * are stored, so that draining a full mailbox is paced by storing messages
 * rather than by one deposit round trip each. Best effort, as before: an
 * ack that cannot be left is logged, and its sender still has the message
 * marked as held by a mailbox.
 */
import type { DepositTokens } from './deposit-tokens.js'
import type { Mailbox } from '../mesh/index.js'
import type { Logger, PeerId } from '@libp2p/interface'

/** Deposits of acks at once */
const CONCURRENCY = 4
/** Acks waiting at most; beyond, the oldest are dropped (mailboxes hold a few hundred per depositor anyway) */
const MAX_WAITING = 4096

interface Return { mailbox: PeerId, sender: PeerId, box: Uint8Array }

export class AckReturns {
  private readonly mailbox: Mailbox
  private readonly tokens: DepositTokens
  private readonly log: Logger
  private readonly waiting: Return[] = []
  private active = 0

  constructor (mailbox: Mailbox, tokens: DepositTokens, log: Logger) {
    this.mailbox = mailbox
    this.tokens = tokens
    this.log = log
  }

  /** Leave `box` (an ack sealed to `sender`) in `mailbox`, soon */
  add (mailbox: PeerId, sender: PeerId, box: Uint8Array): void {
    this.waiting.push({ mailbox, sender, box })
    if (this.waiting.length > MAX_WAITING) {
      const dropped = this.waiting.shift()
      this.log('too many acks waiting to be returned: dropped one for %p', dropped?.sender)
    }
    if (this.active < CONCURRENCY) void this.work()
  }

  private async work (): Promise<void> {
    this.active++
    try {
      for (let next = this.waiting.shift(); next != null; next = this.waiting.shift()) {
        const result = await this.tokens.deposit(this.mailbox, next.mailbox, next.sender, next.box)
          .catch((err: Error) => ({ status: 'unreachable' as const, reason: err.message }))
        if (result.status !== 'stored') this.log('could not return the ack to %p: %s', next.sender, result.reason)
      }
    } finally {
      this.active--
    }
  }
}
