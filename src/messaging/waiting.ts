/**
 * Messages whose recipient could not be reached, waiting in the outbox for
 * it to be seen online again: a connection to it opens, or a notify of its
 * presence says it is open. They are then sent again, each once per
 * sighting; one that fails again waits for the next sighting.
 *
 * The outbox is bounded (OUTBOX_MAX_MESSAGES, OUTBOX_MAX_BYTES): a message
 * that finds it full is not kept, and its sender is told so at once rather
 * than a long-queued message being dropped silently. A message older than
 * the age a recipient still accepts (MAX_MESSAGE_AGE_MS) would be refused:
 * it leaves the outbox as failed.
 */
import { MAX_MESSAGE_AGE_MS, OUTBOX_MAX_BYTES, OUTBOX_MAX_MESSAGES } from './constants.js'
import type { OutboxEntry } from './store.js'
import type { PeerId } from '@libp2p/interface'

/** An outbox entry expires this long before a recipient would refuse it as too old: time for the trip */
const TRIP_MARGIN_MS = 60_000

export interface WaitingInit {
  maxMessages?: number
  maxBytes?: number
  /** Send a waiting message again (the recipient was seen) */
  retry(entry: OutboxEntry): void
  /** A waiting message grew too old to be accepted */
  expire(entry: OutboxEntry): void
}

export class Waiting {
  private readonly init: WaitingInit
  private readonly maxMessages: number
  private readonly maxBytes: number
  /** By recipient, oldest first */
  private readonly byPeer = new Map<string, OutboxEntry[]>()
  private count = 0
  private bytes = 0

  constructor (init: WaitingInit) {
    this.init = init
    this.maxMessages = init.maxMessages ?? OUTBOX_MAX_MESSAGES
    this.maxBytes = init.maxBytes ?? OUTBOX_MAX_BYTES
  }

  get size (): number {
    return this.count
  }

  /** Why `entry` cannot wait (the outbox is full), or undefined when it can */
  full (entry: OutboxEntry, now = Date.now()): string | undefined {
    if (this.count + 1 > this.maxMessages || this.bytes + entry.envelope.byteLength > this.maxBytes) this.sweep(now)
    if (this.count + 1 > this.maxMessages || this.bytes + entry.envelope.byteLength > this.maxBytes) {
      return `the outbox is full (${this.count} messages, ${Math.ceil(this.bytes / 1024)} KiB waiting; at most ${this.maxMessages} messages or ${Math.ceil(this.maxBytes / 1024 / 1024)} MiB)`
    }
    return undefined
  }

  /** Keep `entry` until its recipient is seen; false when the outbox is full */
  add (entry: OutboxEntry): boolean {
    if (this.full(entry) != null) return false
    const key = entry.to.toString()
    const list = this.byPeer.get(key) ?? []
    if (list.some(e => e.id === entry.id)) return true
    list.push(entry)
    list.sort((a, b) => a.createdAt - b.createdAt)
    this.byPeer.set(key, list)
    this.count++
    this.bytes += entry.envelope.byteLength
    return true
  }

  /** Whether messages wait for `peer` (cheap: called on every connection) */
  has (peer: PeerId): boolean {
    return this.byPeer.has(peer.toString())
  }

  /** The recipient was seen online: send what waits for it, oldest first */
  seen (peer: PeerId, now = Date.now()): void {
    const list = this.byPeer.get(peer.toString())
    if (list == null) return
    this.byPeer.delete(peer.toString())
    for (const entry of list) {
      this.count--
      this.bytes -= entry.envelope.byteLength
      if (expired(entry, now)) this.init.expire(entry)
      else this.init.retry(entry)
    }
  }

  /** Drop what has grown too old to be accepted */
  sweep (now = Date.now()): void {
    for (const [key, list] of this.byPeer) {
      const keep = list.filter(entry => !expired(entry, now))
      for (const entry of list.filter(entry => expired(entry, now))) {
        this.count--
        this.bytes -= entry.envelope.byteLength
        this.init.expire(entry)
      }
      if (keep.length === 0) this.byPeer.delete(key)
      else this.byPeer.set(key, keep)
    }
  }
}

/** A recipient refuses messages older than MAX_MESSAGE_AGE_MS */
function expired (entry: OutboxEntry, now: number): boolean {
  return entry.createdAt < now - MAX_MESSAGE_AGE_MS + TRIP_MARGIN_MS
}
