/**
 * Admission of new messages from people who are not contacts: the
 * strangers' limits (src/messaging/inbox-limits.ts) applied, and the
 * message stored — or, for a politely blocked sender, put through exactly
 * the same limits as if it were stored, then dropped, so that what it is
 * told cannot reveal the block.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { InboxLimits, type InboxLimitsInit, type LimitRefusal, type Usage } from './inbox-limits.js'
import type { InboxDecision } from './inbox-policy.js'
import type { MessageStore, StoredMessage } from './store.js'
import type { PeerId } from '@libp2p/interface'

/** The decisions under which a message may be taken */
export type Taken = Exclude<InboxDecision, 'refuse'>

export class Admission {
  private readonly store: MessageStore
  private readonly limits: InboxLimits
  /** What each blocked sender would hold, read from the datastore on first use */
  private readonly dropped = new Map<string, Usage>()

  constructor (store: MessageStore, init: InboxLimitsInit = {}) {
    this.store = store
    this.limits = new InboxLimits(init)
  }

  /** Rebuild the counts from the inbox: one pass at start, none per message */
  async start (): Promise<void> {
    this.limits.reset()
    this.dropped.clear()
    for await (const { sender, bytes } of this.store.strangerMessages()) this.limits.count(sender, bytes, 1)
  }

  /**
   * Apply the limits (none to contacts; `paced`: the rate too) and count the
   * message in before anything else is awaited, so concurrent deliveries
   * cannot overshoot. Undone by `keep` if storing fails.
   */
  async take (decision: Taken, sender: string, bytes: number, paced: boolean): Promise<LimitRefusal | undefined> {
    if (decision === 'contact') return undefined
    if (decision === 'blocked' && !this.dropped.has(sender)) {
      const usage = await this.store.dropped(peerIdFromString(sender))
      if (!this.dropped.has(sender)) this.dropped.set(sender, usage)
    }
    const own = decision === 'blocked' ? this.dropped.get(sender) ?? { messages: 0, bytes: 0 } : this.limits.usage(sender)
    const refusal = (paced ? this.limits.take(sender) : undefined) ?? this.limits.room(own, bytes)
    if (refusal != null) return refusal
    if (decision === 'stranger') this.limits.count(sender, bytes, 1)
    else addUsage(this.dropped, sender, bytes, 1)
    return undefined
  }

  /** Store a taken message; resolves whether it is in the inbox now (a blocked sender's is not) */
  async keep (decision: Taken, stored: StoredMessage): Promise<boolean> {
    const sender = stored.message.from.toString()
    const bytes = stored.envelope.byteLength
    try {
      if (decision === 'blocked') {
        await this.store.drop(stored.message, this.dropped.get(sender) ?? { messages: 0, bytes: 0 })
        return false
      }
      await this.store.receive(stored, decision === 'stranger')
      return true
    } catch (err) {
      if (decision === 'stranger') this.limits.count(sender, bytes, -1)
      if (decision === 'blocked') addUsage(this.dropped, sender, bytes, -1)
      throw err
    }
  }

  /** Delete messages from the inbox, freeing their strangers' share; resolves with how many were there */
  async delete (messages: Array<{ from: PeerId, id: string }>): Promise<number> {
    let deleted = 0
    for (const { from, id } of messages) {
      const gone = await this.store.delete(from, id)
      if (gone == null) continue
      deleted++
      if (gone.stranger) this.limits.count(from.toString(), gone.bytes, -1)
    }
    return deleted
  }

  /** A blocked sender starts from nothing once unblocked or allowed */
  async forgetDropped (peer: PeerId): Promise<void> {
    this.dropped.delete(peer.toString())
    await this.store.forgetDropped(peer)
  }
}

function addUsage (map: Map<string, Usage>, sender: string, bytes: number, sign: 1 | -1): void {
  const usage = map.get(sender) ?? { messages: 0, bytes: 0 }
  map.set(sender, { messages: usage.messages + sign, bytes: usage.bytes + sign * bytes })
}
