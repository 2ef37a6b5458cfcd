/**
 * How store.ts keeps a message: a StoredMessage (the signed envelope and
 * what the store knows of it: when it came, whether a stranger sent it,
 * whether it waits in the outbox, its outcome). Older versions wrote a
 * 4-byte length, a little JSON and the envelope; those values still read and
 * are rewritten when a listing meets them. What does not read is set aside
 * by the listing (stored-values.ts), never a failed inbox.
 */
import { toString } from 'uint8arrays'
import { StoredMessage, StoredSeen, StoredUsage } from './pb/stored.js'
import { isCount, need, storedForm } from '../utils/stored-values.js'
import type { Outcome } from './store.js'
import type { Usage } from './inbox-limits.js'
import type { Key } from 'interface-datastore'

export interface MessageMeta {
  /** Inbox: when it came (ms) */
  receivedAt?: number
  /** Inbox: counted against the strangers' limits */
  stranger?: boolean
  /** Outbox: when it was sent first (ms) */
  createdAt?: number
  /** Outbox: waits for the recipient to be seen online */
  waiting?: boolean
  /** Sent: how its delivery ended, or stands */
  outcome?: Outcome
}

export interface MessageValue {
  envelope: Uint8Array
  meta: MessageMeta
}

const STATUSES: Record<Outcome['status'], StoredMessage.Outcome.Status> = {
  delivered: StoredMessage.Outcome.Status.STATUS_DELIVERED,
  stored: StoredMessage.Outcome.Status.STATUS_STORED,
  failed: StoredMessage.Outcome.Status.STATUS_FAILED,
  queued: StoredMessage.Outcome.Status.STATUS_QUEUED
}

function outcomeOf (value: any): Outcome {
  const found = Object.entries(STATUSES).find(([name, code]) => value?.status === name || value?.status === code)
  need(found != null, 'an outcome of no status')
  need(isCount(value.at), 'an outcome without a time')
  const status = found[0] as Outcome['status']
  if (status === 'delivered' || status === 'stored') return { status, at: value.at }
  need(typeof value.reason === 'string', 'a failure without a reason')
  return { status, reason: value.reason, at: value.at }
}

/** The fields that are there, each checked; absent ones stay absent */
function messageOf (envelope: Uint8Array, meta: any): MessageValue {
  need(envelope.byteLength > 0, 'no envelope')
  const out: MessageMeta = {}
  for (const name of ['receivedAt', 'createdAt'] as const) {
    if (meta[name] == null) continue
    need(isCount(meta[name]), `"${name}" is not a time`)
    out[name] = meta[name]
  }
  if (meta.stranger === true) out.stranger = true
  if (meta.waiting === true) out.waiting = true
  if (meta.outcome != null) out.outcome = outcomeOf(meta.outcome)
  return { envelope, meta: out }
}

/** The older framing: a big-endian uint32 length, that much JSON, the envelope */
function readFramed (value: Uint8Array): MessageValue {
  need(value.byteLength >= 4, 'shorter than its length prefix')
  const length = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0)
  need(4 + length <= value.byteLength, 'its length prefix runs past the end')
  const meta = JSON.parse(toString(value.subarray(4, 4 + length)))
  need(typeof meta === 'object' && meta != null, 'its JSON is not an object')
  return messageOf(value.subarray(4 + length), meta)
}

export const MESSAGE_FORM = storedForm<StoredMessage, MessageValue>({
  codec: StoredMessage,
  check: message => messageOf(message.envelope, message),
  toMessage: ({ envelope, meta }) => ({
    envelope: new Uint8Array(envelope),
    receivedAt: meta.receivedAt,
    stranger: meta.stranger === true,
    createdAt: meta.createdAt,
    waiting: meta.waiting === true,
    outcome: meta.outcome == null ? undefined : { status: STATUSES[meta.outcome.status], reason: 'reason' in meta.outcome ? meta.outcome.reason : '', at: meta.outcome.at }
  }),
  // a protobuf value starts with a tag, never 0; the framing's length of < 16 MiB of JSON always does
  fromOld: { is: bytes => bytes[0] === 0, read: readFramed }
})

export function encodeStored (envelope: Uint8Array, meta: MessageMeta): Uint8Array {
  return MESSAGE_FORM.encode({ envelope, meta })
}

/** One stored message read outside a listing (a delete, an ack): throws InvalidStoredValueError when unreadable */
export function decodeStored (value: Uint8Array, key: Key): MessageValue {
  return MESSAGE_FORM.decode(value, key)
}

/** What a blocked sender would hold; older versions wrote JSON */
export const USAGE_FORM = storedForm<StoredUsage, Usage>({
  codec: StoredUsage,
  check: ({ messages, bytes }) => {
    need(isCount(messages) && isCount(bytes), 'a count out of range')
    return { messages, bytes }
  },
  toMessage: usage => usage,
  fromJson: (json: any) => {
    need(isCount(json?.messages) && isCount(json?.bytes), 'a count out of range')
    return { messages: json.messages, bytes: json.bytes }
  }
})

/** A seen-marker: the date of a message received; older versions wrote it as decimal text */
export const SEEN_FORM = storedForm<StoredSeen, number>({
  codec: StoredSeen,
  check: ({ date }) => {
    need(isCount(date), 'a date out of range')
    return date
  },
  toMessage: date => ({ date }),
  fromOld: {
    is: bytes => bytes[0] >= 0x30 && bytes[0] <= 0x39,
    read: bytes => {
      const text = toString(bytes)
      need(/^\d{1,16}$/.test(text), 'not a date')
      return Number(text)
    }
  }
})

