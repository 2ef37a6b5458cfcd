/**
 * Limits on what strangers put into the inbox: a token bucket per sender
 * (how fast), and per-sender and total counts of what the inbox holds from
 * strangers (how much). Contacts are not counted. The counts live in memory
 * and are rebuilt from the datastore at start, so a delivery never scans
 * the inbox.
 */
import {
  DEFAULT_STRANGER_BURST, DEFAULT_STRANGER_BYTES, DEFAULT_STRANGER_MESSAGES, DEFAULT_STRANGER_REFILL_SECONDS,
  DEFAULT_STRANGERS_TOTAL_BYTES, DEFAULT_STRANGERS_TOTAL_MESSAGES, MAX_RATE_BUCKETS
} from './constants.js'

export interface InboxLimitsInit {
  /** Messages a stranger may send at once before the rate applies. Default: 20 */
  strangerBurst?: number
  /** Seconds for a stranger's bucket to regain one message (the sustained rate). Default: 6 */
  strangerRefillSeconds?: number
  /** Messages the inbox holds from one stranger. Default: 100 */
  strangerMessages?: number
  /** Bytes (signed envelopes) the inbox holds from one stranger. Default: 2 MiB */
  strangerBytes?: number
  /** Messages the inbox holds from all strangers together. Default: 2000 */
  strangersTotalMessages?: number
  /** Bytes the inbox holds from all strangers together. Default: 32 MiB */
  strangersTotalBytes?: number
}

export interface Usage { messages: number, bytes: number }

/** Why a message is not taken: the receipt's status and the words for the sender */
export type LimitRefusal = { kind: 'rate-limited', reason: string } | { kind: 'inbox-full', reason: string }

interface Bucket { tokens: number, at: number }

export class InboxLimits {
  readonly burst: number
  readonly refillMs: number
  readonly perSender: Usage
  readonly total: Usage
  private readonly buckets = new Map<string, Bucket>()
  /** What the inbox holds from each stranger */
  private readonly held = new Map<string, Usage>()
  private readonly heldTotal: Usage = { messages: 0, bytes: 0 }

  constructor (init: InboxLimitsInit = {}) {
    this.burst = init.strangerBurst ?? DEFAULT_STRANGER_BURST
    this.refillMs = (init.strangerRefillSeconds ?? DEFAULT_STRANGER_REFILL_SECONDS) * 1000
    this.perSender = { messages: init.strangerMessages ?? DEFAULT_STRANGER_MESSAGES, bytes: init.strangerBytes ?? DEFAULT_STRANGER_BYTES }
    this.total = { messages: init.strangersTotalMessages ?? DEFAULT_STRANGERS_TOTAL_MESSAGES, bytes: init.strangersTotalBytes ?? DEFAULT_STRANGERS_TOTAL_BYTES }
  }

  /**
   * Take one message from `sender`'s bucket. The answer for an empty bucket
   * says when the next message will be taken.
   */
  take (sender: string, now = Date.now()): LimitRefusal | undefined {
    const bucket = this.refill(sender, now)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return undefined
    }
    const waitS = Math.ceil((1 - bucket.tokens) * this.refillMs / 1000)
    return { kind: 'rate-limited', reason: `Too many messages from you; the recipient takes the next one in ${waitS} s` }
  }

  /**
   * Whether one more message of `bytes` fits, given what is held from the
   * sender (`own`: the inbox's count, or for a blocked sender the count of
   * what it would hold) and from all strangers
   */
  room (own: Usage, bytes: number): LimitRefusal | undefined {
    if (own.messages + 1 > this.perSender.messages || own.bytes + bytes > this.perSender.bytes) {
      return { kind: 'inbox-full', reason: `The recipient's inbox holds all it takes from you (${this.perSender.messages} messages, ${this.perSender.bytes} bytes) until it deletes some` }
    }
    if (this.heldTotal.messages + 1 > this.total.messages || this.heldTotal.bytes + bytes > this.total.bytes) {
      return { kind: 'inbox-full', reason: 'The recipient\'s inbox holds all it takes from people it does not know until it deletes some' }
    }
    return undefined
  }

  /** What the inbox holds from `sender` */
  usage (sender: string): Usage {
    return { ...(this.held.get(sender) ?? { messages: 0, bytes: 0 }) }
  }

  /** A stranger's message was stored (`+1`) or deleted (`-1`) */
  count (sender: string, bytes: number, sign: 1 | -1): void {
    const usage = this.held.get(sender) ?? { messages: 0, bytes: 0 }
    usage.messages += sign
    usage.bytes += sign * bytes
    this.heldTotal.messages += sign
    this.heldTotal.bytes += sign * bytes
    if (usage.messages <= 0) this.held.delete(sender)
    else this.held.set(sender, usage)
  }

  /** Forget every count, before they are rebuilt from the datastore */
  reset (): void {
    this.held.clear()
    this.heldTotal.messages = 0
    this.heldTotal.bytes = 0
  }

  private refill (sender: string, now: number): Bucket {
    let bucket = this.buckets.get(sender)
    if (bucket == null) {
      bucket = { tokens: this.burst, at: now }
    } else {
      bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) / this.refillMs)
      bucket.at = now
      // re-inserted below: the map's order is then least recently used first
      this.buckets.delete(sender)
    }
    this.buckets.set(sender, bucket)
    // a forgotten bucket is a full one: forgetting the least recently used
    // can only favour senders that have been quiet longest
    if (this.buckets.size > MAX_RATE_BUCKETS) this.buckets.delete(this.buckets.keys().next().value as string)
    return bucket
  }
}
