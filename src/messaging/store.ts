/**
 * Where messages live in the datastore: the inbox, what was sent (with its
 * outcome), the outbox of messages still being delivered, and the record of
 * (sender, id) pairs already received — which makes delivery exactly-once.
 */
import { defaultLogger } from '@libp2p/logger'
import { Key, type Datastore } from 'interface-datastore'
import { BatchWriter } from './batch-writer.js'
import { MAX_MESSAGE_AGE_MS } from './constants.js'
import { openMessage, readOwnMessage, type InstantMessage } from './message.js'
import { SeenIds } from './seen-ids.js'
import { decodeStored, encodeStored, MESSAGE_FORM, SEEN_FORM, USAGE_FORM, type MessageValue } from './stored-message.js'
import { readAll, setAside } from '../utils/stored-values.js'
import type { Usage } from './inbox-limits.js'
import type { Logger, PeerId } from '@libp2p/interface'

const INBOX = '/presence-mesh/im/inbox'
const SENT = '/presence-mesh/im/sent'
const OUTBOX = '/presence-mesh/im/outbox'
const SEEN = '/presence-mesh/im/seen'
/** What a blocked sender would hold in the inbox had it not been blocked: it is limited by that */
const DROPPED = '/presence-mesh/im/dropped'

export interface StoredMessage {
  message: InstantMessage
  /** The sender-signed envelope, kept so the message can be re-verified or forwarded */
  envelope: Uint8Array
  receivedAt: number
}

/** `queued`: not reached yet; it waits in the outbox for the recipient to be seen online */
export type Outcome = { status: 'delivered' | 'stored', at: number } | { status: 'failed' | 'queued', reason: string, at: number }

export interface SentMessage {
  message: InstantMessage
  outcome?: Outcome
}

export interface OutboxEntry {
  envelope: Uint8Array
  to: PeerId
  id: string
  createdAt: number
  /** Not reached by its last send: it waits for the recipient to be seen online */
  waiting?: boolean
}

/** Ids may hold '/' and other characters a Key would split on */
function part (text: string): string {
  return encodeURIComponent(text)
}

export class MessageStore {
  private readonly datastore: Datastore
  private readonly maxBodySize: number
  /** queue, settle, receive and drop: the writes of every message, grouped under load */
  private readonly writer: BatchWriter
  private readonly seenIds: SeenIds
  private readonly log: Pick<Logger, 'error'>

  /** `log`: where a message that no longer reads is reported as it is set aside (the service passes its own) */
  constructor (datastore: Datastore, maxBodySize: number, log: Pick<Logger, 'error'> = defaultLogger().forComponent('presence-mesh:im:store')) {
    this.datastore = datastore
    this.maxBodySize = maxBodySize
    this.log = log
    this.writer = new BatchWriter(datastore)
    this.seenIds = new SeenIds(datastore, SEEN)
  }

  /** Every write made so far is committed: before the node stops */
  async flushed (): Promise<void> {
    await this.writer.idle()
  }

  async seen (sender: PeerId, id: string): Promise<boolean> {
    return this.seenIds.has(sender.toString(), part(id))
  }

  /**
   * Store a received message and remember it as seen, in one batch: a crash
   * leaves both or neither. `stranger` marks a message counted against the
   * strangers' limits, so the counts can be rebuilt at start.
   */
  async receive (stored: StoredMessage, stranger: boolean): Promise<void> {
    const { message } = stored
    await this.writer.write(batch => {
      batch.put(new Key(`${SEEN}/${message.from.toString()}/${part(message.id)}`), SEEN_FORM.encode(message.date))
      batch.put(new Key(`${INBOX}/${message.from.toString()}/${part(message.id)}`), encodeStored(stored.envelope, { receivedAt: stored.receivedAt, ...(stranger ? { stranger } : {}) }))
    })
    this.markSeen(message)
  }

  /**
   * A blocked sender's message, dropped: remembered as seen (so a retry is
   * answered as a stranger's retry is) and counted as if held, in one batch
   */
  async drop (message: InstantMessage, usage: Usage): Promise<void> {
    await this.writer.write(batch => {
      batch.put(new Key(`${SEEN}/${message.from.toString()}/${part(message.id)}`), SEEN_FORM.encode(message.date))
      batch.put(new Key(`${DROPPED}/${message.from.toString()}`), USAGE_FORM.encode(usage))
    })
    this.markSeen(message)
  }

  private markSeen (message: InstantMessage): void {
    this.seenIds.add(message.from.toString(), part(message.id))
  }

  /** What a blocked sender would hold in the inbox */
  async dropped (sender: PeerId): Promise<Usage> {
    const key = new Key(`${DROPPED}/${sender.toString()}`)
    if (!(await this.datastore.has(key))) return { messages: 0, bytes: 0 }
    try {
      return USAGE_FORM.decode(await this.datastore.get(key), key)
    } catch {
      // unreadable: counted as full below
    }
    // count it as full rather than let a blocked sender start over
    return { messages: Number.MAX_SAFE_INTEGER, bytes: Number.MAX_SAFE_INTEGER }
  }

  /** The block was lifted or turned into a rule: forget the count */
  async forgetDropped (sender: PeerId): Promise<void> {
    await this.datastore.delete(new Key(`${DROPPED}/${sender.toString()}`))
  }

  /** Each stored message counted against the strangers' limits: its sender and size, without opening it */
  async * strangerMessages (): AsyncGenerator<{ sender: string, bytes: number }> {
    for await (const { key, value: { envelope, meta } } of readAll(this.datastore, INBOX, MESSAGE_FORM, this.log)) {
      if (meta.stranger === true) yield { sender: key.namespaces()[3], bytes: envelope.byteLength }
    }
  }

  /** Delete one message from the inbox; resolves with what it was, if it was there */
  async delete (sender: PeerId, id: string): Promise<{ bytes: number, stranger: boolean } | undefined> {
    const key = new Key(`${INBOX}/${sender.toString()}/${part(id)}`)
    if (!(await this.datastore.has(key))) return undefined
    const { envelope, meta } = decodeStored(await this.datastore.get(key), key)
    await this.datastore.delete(key)
    return { bytes: envelope.byteLength, stranger: meta.stranger === true }
  }

  async inbox (): Promise<StoredMessage[]> {
    const messages: StoredMessage[] = []
    for await (const { key, value } of readAll(this.datastore, INBOX, MESSAGE_FORM, this.log)) {
      const message = await openMessage(value.envelope, this.maxBodySize).catch(async err => { await this.setAside(key, value, err) })
      if (message != null) messages.push({ message, envelope: value.envelope, receivedAt: value.meta.receivedAt ?? 0 })
    }
    return messages.sort((a, b) => a.receivedAt - b.receivedAt)
  }

  /** Deferred (batch-writer.ts): the message goes out before its entry's batch is built */
  async queue (entry: OutboxEntry): Promise<void> {
    await this.writer.write(batch => { batch.put(new Key(`${OUTBOX}/${part(entry.id)}`), encodeStored(entry.envelope, { createdAt: entry.createdAt })) }, { deferred: true })
  }

  async outbox (): Promise<OutboxEntry[]> {
    await this.writer.idle()
    const entries: OutboxEntry[] = []
    for await (const { key, value: { envelope, meta } } of readAll(this.datastore, OUTBOX, MESSAGE_FORM, this.log)) {
      const message = await this.readOwn(key, { envelope, meta })
      if (message != null) entries.push({ envelope, to: message.to, id: message.id, createdAt: meta.createdAt ?? 0, waiting: meta.waiting === true })
    }
    return entries
  }

  /** Not reached: the message stays in the outbox, marked waiting, and the history says so */
  async wait (entry: OutboxEntry, outcome: Outcome): Promise<void> {
    await this.writer.write(batch => {
      batch.put(new Key(`${OUTBOX}/${part(entry.id)}`), encodeStored(entry.envelope, { createdAt: entry.createdAt, waiting: true }))
      batch.put(new Key(`${SENT}/${entry.to.toString()}/${part(entry.id)}`), encodeStored(entry.envelope, { outcome }))
    })
  }

  /**
   * The message left the outbox with a final outcome: keep it in the
   * history. Its sender need not wait for this write (delivery.ts), nor for
   * its batch to be built (deferred): the reads below wait for the writes
   * made before them
   */
  async settle (entry: OutboxEntry, outcome: Outcome): Promise<void> {
    await this.writer.write(batch => {
      batch.delete(new Key(`${OUTBOX}/${part(entry.id)}`))
      batch.put(new Key(`${SENT}/${entry.to.toString()}/${part(entry.id)}`), encodeStored(entry.envelope, { outcome }))
    }, { deferred: true })
  }

  /** A stored message's ack arrived: it is delivered after all. Returns the sent message, if ours */
  async markDelivered (to: PeerId, id: string, at: number): Promise<SentMessage | undefined> {
    await this.writer.idle()
    const key = new Key(`${SENT}/${to.toString()}/${part(id)}`)
    if (!(await this.datastore.has(key))) return undefined
    const { envelope } = decodeStored(await this.datastore.get(key), key)
    const outcome: Outcome = { status: 'delivered', at }
    await this.datastore.put(key, encodeStored(envelope, { outcome }))
    return { message: readOwnMessage(envelope, this.maxBodySize), outcome }
  }

  /** The envelope of a message we sent, if it is in the history */
  async sentEnvelope (to: PeerId, id: string): Promise<Uint8Array | undefined> {
    await this.writer.idle()
    const key = new Key(`${SENT}/${to.toString()}/${part(id)}`)
    return (await this.datastore.has(key)) ? decodeStored(await this.datastore.get(key), key).envelope : undefined
  }

  async sent (): Promise<SentMessage[]> {
    await this.writer.idle()
    const messages: SentMessage[] = []
    for await (const { key, value } of readAll(this.datastore, SENT, MESSAGE_FORM, this.log)) {
      const message = await this.readOwn(key, value)
      if (message != null) messages.push({ message, outcome: value.meta.outcome })
    }
    return messages.sort((a, b) => a.message.date - b.message.date)
  }

  /** One of our own messages, or undefined when its envelope no longer reads (then it is set aside) */
  private async readOwn (key: Key, value: MessageValue): Promise<InstantMessage | undefined> {
    try {
      return readOwnMessage(value.envelope, this.maxBodySize)
    } catch (err) {
      await this.setAside(key, value, err)
      return undefined
    }
  }

  private async setAside (key: Key, value: MessageValue, reason: unknown): Promise<void> {
    await setAside(this.datastore, key, MESSAGE_FORM.encode(value), this.log, reason)
  }

  /** Forget seen-markers older than the age limit: older messages are refused anyway */
  async prune (now = Date.now()): Promise<number> {
    let pruned = 0
    for await (const { key, value } of readAll(this.datastore, SEEN, SEEN_FORM, this.log)) {
      if (value < now - MAX_MESSAGE_AGE_MS) {
        await this.datastore.delete(key)
        pruned++
      }
    }
    return pruned
  }
}
