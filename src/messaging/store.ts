/**
 * Where messages live in the datastore: the inbox, what was sent (with its
 * outcome), the outbox of messages still being delivered, and the record of
 * (sender, id) pairs already received — which makes delivery exactly-once.
 */
import { Key, type Datastore } from 'interface-datastore'
import { fromString, toString } from 'uint8arrays'
import { BatchWriter } from './batch-writer.js'
import { MAX_MESSAGE_AGE_MS } from './constants.js'
import { openMessage, readOwnMessage, type InstantMessage } from './message.js'
import { SeenIds } from './seen-ids.js'
import type { Usage } from './inbox-limits.js'
import type { PeerId } from '@libp2p/interface'

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

  constructor (datastore: Datastore, maxBodySize: number) {
    this.datastore = datastore
    this.maxBodySize = maxBodySize
    this.writer = new BatchWriter(datastore)
    this.seenIds = new SeenIds(datastore, SEEN)
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
      batch.put(new Key(`${SEEN}/${message.from.toString()}/${part(message.id)}`), fromString(String(message.date)))
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
      batch.put(new Key(`${SEEN}/${message.from.toString()}/${part(message.id)}`), fromString(String(message.date)))
      batch.put(new Key(`${DROPPED}/${message.from.toString()}`), fromString(JSON.stringify(usage)))
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
      const { messages, bytes } = JSON.parse(toString(await this.datastore.get(key)))
      if (Number.isSafeInteger(messages) && Number.isSafeInteger(bytes)) return { messages, bytes }
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
    for await (const { key, value } of this.datastore.query({ prefix: INBOX })) {
      const { envelope, meta } = decodeStored(value)
      if (meta.stranger === true) yield { sender: key.namespaces()[3], bytes: envelope.byteLength }
    }
  }

  /** Delete one message from the inbox; resolves with what it was, if it was there */
  async delete (sender: PeerId, id: string): Promise<{ bytes: number, stranger: boolean } | undefined> {
    const key = new Key(`${INBOX}/${sender.toString()}/${part(id)}`)
    if (!(await this.datastore.has(key))) return undefined
    const { envelope, meta } = decodeStored(await this.datastore.get(key))
    await this.datastore.delete(key)
    return { bytes: envelope.byteLength, stranger: meta.stranger === true }
  }

  async inbox (): Promise<StoredMessage[]> {
    const messages: StoredMessage[] = []
    for await (const { value } of this.datastore.query({ prefix: INBOX })) {
      const { envelope, meta } = decodeStored(value)
      messages.push({ message: await openMessage(envelope, this.maxBodySize), envelope, receivedAt: meta.receivedAt })
    }
    return messages.sort((a, b) => a.receivedAt - b.receivedAt)
  }

  async queue (entry: OutboxEntry): Promise<void> {
    await this.writer.write(batch => { batch.put(new Key(`${OUTBOX}/${part(entry.id)}`), encodeStored(entry.envelope, { createdAt: entry.createdAt })) })
  }

  async outbox (): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = []
    for await (const { value } of this.datastore.query({ prefix: OUTBOX })) {
      const { envelope, meta } = decodeStored(value)
      const message = readOwnMessage(envelope, this.maxBodySize)
      entries.push({ envelope, to: message.to, id: message.id, createdAt: meta.createdAt, waiting: meta.waiting === true })
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

  /** The message left the outbox with a final outcome: keep it in the history */
  async settle (entry: OutboxEntry, outcome: Outcome): Promise<void> {
    await this.writer.write(batch => {
      batch.delete(new Key(`${OUTBOX}/${part(entry.id)}`))
      batch.put(new Key(`${SENT}/${entry.to.toString()}/${part(entry.id)}`), encodeStored(entry.envelope, { outcome }))
    })
  }

  /** A stored message's ack arrived: it is delivered after all. Returns the sent message, if ours */
  async markDelivered (to: PeerId, id: string, at: number): Promise<SentMessage | undefined> {
    const key = new Key(`${SENT}/${to.toString()}/${part(id)}`)
    if (!(await this.datastore.has(key))) return undefined
    const { envelope } = decodeStored(await this.datastore.get(key))
    const outcome: Outcome = { status: 'delivered', at }
    await this.datastore.put(key, encodeStored(envelope, { outcome }))
    return { message: readOwnMessage(envelope, this.maxBodySize), outcome }
  }

  /** The envelope of a message we sent, if it is in the history */
  async sentEnvelope (to: PeerId, id: string): Promise<Uint8Array | undefined> {
    const key = new Key(`${SENT}/${to.toString()}/${part(id)}`)
    return (await this.datastore.has(key)) ? decodeStored(await this.datastore.get(key)).envelope : undefined
  }

  async sent (): Promise<SentMessage[]> {
    const messages: SentMessage[] = []
    for await (const { value } of this.datastore.query({ prefix: SENT })) {
      const { envelope, meta } = decodeStored(value)
      messages.push({ message: readOwnMessage(envelope, this.maxBodySize), outcome: meta.outcome })
    }
    return messages.sort((a, b) => a.message.date - b.message.date)
  }

  /** Forget seen-markers older than the age limit: older messages are refused anyway */
  async prune (now = Date.now()): Promise<number> {
    let pruned = 0
    for await (const { key, value } of this.datastore.query({ prefix: SEEN })) {
      if (Number(toString(value)) < now - MAX_MESSAGE_AGE_MS) {
        await this.datastore.delete(key)
        pruned++
      }
    }
    return pruned
  }
}

/** An envelope and a little JSON beside it, in one value */
function encodeStored (envelope: Uint8Array, meta: Record<string, unknown>): Uint8Array {
  const json = fromString(JSON.stringify(meta))
  const out = new Uint8Array(4 + json.length + envelope.length)
  new DataView(out.buffer).setUint32(0, json.length)
  out.set(json, 4)
  out.set(envelope, 4 + json.length)
  return out
}

function decodeStored (value: Uint8Array): { envelope: Uint8Array, meta: any } {
  const length = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0)
  return { meta: JSON.parse(toString(value.subarray(4, 4 + length))), envelope: value.subarray(4 + length) }
}
