/**
 * Instant messages (RFC 2779 §4.1): the plain form, its protobuf encoding,
 * and the sender-signed envelope that travels and is stored.
 */
import { randomBytes } from 'node:crypto'
import { peerIdFromMultihash, peerIdFromPublicKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import * as Digest from 'multiformats/hashes/digest'
import { equals } from 'uint8arrays/equals'
import { DEFAULT_MAX_BODY_SIZE, ENVELOPE_OVERHEAD, ID_RANDOM_BLOCK_BYTES, MAX_CONTENT_TYPE_LENGTH, MAX_HEADER_VALUE_LENGTH, MAX_HEADERS, MAX_REFERENCE_LENGTH, MAX_SUBJECT_LENGTH, MESSAGE_DOMAIN, MESSAGE_ID, MESSAGE_PAYLOAD_TYPE, TOKEN_CHAR } from './constants.js'
import { InvalidMessageError, InvalidMessageSignatureError, MessageTooLargeError } from './errors.js'
import { InstantMessage as PBMessage } from './pb/message.js'
import { EnvelopeSigner, validEnvelope } from '../utils/signed-envelopes.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

export interface MessageHeader {
  name: string
  value: string
}

export interface InstantMessage {
  from: PeerId
  to: PeerId
  /** Unique among the sender's messages (the sender makes it; see docs/PROTOCOL.md) */
  id: string
  /** ms since the Unix epoch */
  date: number
  subject?: string
  /** MIME type with parameters, e.g. `text/plain; charset=utf-8` */
  contentType: string
  body: Uint8Array
  /** Extension headers, in order */
  headers: MessageHeader[]
  /** Return address (`im:` URI), when replies should go elsewhere than the sender */
  replyTo?: string
  /** Id of the message this one answers */
  inReplyTo?: string
}

const HEADER_NAME = new RegExp(`^${TOKEN_CHAR}{1,64}$`)
// header values and subjects: no line breaks or other C0 controls, so they render into message/cpim safely
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/
const CONTENT_TYPE = new RegExp(`^${TOKEN_CHAR}+\\/${TOKEN_CHAR}+(\\s*;.*)?$`)

/** Random bytes for message ids, drawn a block at a time: a call into OpenSSL per id showed in a sender's profile */
let idBytes = Buffer.alloc(0)
let idOffset = 0

/** A new message id: time-ordered and random, so unique among our messages without any shared counter */
export function newMessageId (now: number): string {
  if (idOffset + 8 > idBytes.byteLength) {
    idBytes = randomBytes(ID_RANDOM_BLOCK_BYTES)
    idOffset = 0
  }
  idOffset += 8
  return `${now.toString(36)}-${idBytes.toString('hex', idOffset - 8, idOffset)}`
}

export function validateMessage (message: InstantMessage, maxBodySize = DEFAULT_MAX_BODY_SIZE): void {
  if (!MESSAGE_ID.test(message.id)) throw new InvalidMessageError('Message id must be 1-64 printable ASCII characters')
  if (!Number.isSafeInteger(message.date) || message.date < 0) throw new InvalidMessageError('Message date must be ms since the epoch')
  if (!CONTENT_TYPE.test(message.contentType) || CONTROL.test(message.contentType) || message.contentType.length > MAX_CONTENT_TYPE_LENGTH) {
    throw new InvalidMessageError(`"${message.contentType}" is not a MIME content type`)
  }
  if (message.subject != null && (CONTROL.test(message.subject) || message.subject.length > MAX_SUBJECT_LENGTH)) {
    throw new InvalidMessageError(`Subject must be one line of at most ${MAX_SUBJECT_LENGTH} characters`)
  }
  if (message.headers.length > MAX_HEADERS) throw new InvalidMessageError(`At most ${MAX_HEADERS} extension headers`)
  for (const { name, value } of message.headers) {
    if (!HEADER_NAME.test(name) || CONTROL.test(value) || value.length > MAX_HEADER_VALUE_LENGTH) {
      throw new InvalidMessageError(`Extension header "${name}" is not a valid header`)
    }
  }
  for (const [field, value] of [['replyTo', message.replyTo], ['inReplyTo', message.inReplyTo]] as const) {
    if (value != null && (value.length === 0 || value.length > MAX_REFERENCE_LENGTH || CONTROL.test(value))) throw new InvalidMessageError(`${field} is not valid`)
  }
  if (message.body.byteLength > maxBodySize) {
    throw new MessageTooLargeError(`Message body of ${message.body.byteLength} bytes exceeds the limit of ${maxBodySize}`)
  }
}

export function marshalMessage (message: InstantMessage, maxBodySize = DEFAULT_MAX_BODY_SIZE): Uint8Array {
  validateMessage(message, maxBodySize)
  return PBMessage.encode({
    from: message.from.toMultihash().bytes,
    to: message.to.toMultihash().bytes,
    id: message.id,
    date: BigInt(message.date),
    subject: message.subject,
    contentType: message.contentType,
    body: message.body as Uint8Array<ArrayBuffer>,
    headers: message.headers,
    replyTo: message.replyTo,
    inReplyTo: message.inReplyTo
  })
}

export function unmarshalMessage (bytes: Uint8Array, maxBodySize = DEFAULT_MAX_BODY_SIZE): InstantMessage {
  let pb: PBMessage
  try {
    pb = PBMessage.decode(bytes)
  } catch (err: any) {
    throw new InvalidMessageError(`Undecodable message: ${err.message}`)
  }
  if (pb.date > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidMessageError('Message date out of range')
  const message: InstantMessage = {
    from: decodePeerId(pb.from, 'sender'),
    to: decodePeerId(pb.to, 'recipient'),
    id: pb.id,
    date: Number(pb.date),
    subject: pb.subject,
    contentType: pb.contentType,
    body: pb.body,
    headers: pb.headers.map(({ name, value }) => ({ name, value })),
    replyTo: pb.replyTo,
    inReplyTo: pb.inReplyTo
  }
  validateMessage(message, maxBodySize)
  return message
}

/** Sign a message with the sender's key (or its cached signer) into envelope bytes */
export async function sealMessage (key: PrivateKey | EnvelopeSigner, message: InstantMessage, maxBodySize = DEFAULT_MAX_BODY_SIZE): Promise<Uint8Array> {
  const signer = key instanceof EnvelopeSigner ? key : EnvelopeSigner.of(key)
  if (!signer.peerId.equals(message.from)) {
    throw new InvalidMessageSignatureError('A message can only be signed by its sender')
  }
  // each message is checked by its recipient only: not remembered in the process-wide cache
  return signer.seal(MESSAGE_DOMAIN, MESSAGE_PAYLOAD_TYPE, marshalMessage(message, maxBodySize), { remember: false })
}

/**
 * Decode an envelope we sealed ourselves and kept in our own datastore
 * (outbox, sent history): its signature was made here, so it is not checked
 */
export function readOwnMessage (bytes: Uint8Array, maxBodySize = DEFAULT_MAX_BODY_SIZE): InstantMessage {
  return unmarshalMessage(RecordEnvelope.createFromProtobuf(bytes).payload, maxBodySize)
}

/**
 * Verify and decode envelope bytes from the network. Throws only
 * InvalidMessageError, MessageTooLargeError or InvalidMessageSignatureError.
 */
export async function openMessage (bytes: Uint8Array, maxBodySize = DEFAULT_MAX_BODY_SIZE): Promise<InstantMessage> {
  if (bytes.byteLength > maxBodySize + ENVELOPE_OVERHEAD) {
    throw new MessageTooLargeError(`Message of ${bytes.byteLength} bytes exceeds the limit of ${maxBodySize + ENVELOPE_OVERHEAD}`)
  }
  let envelope: RecordEnvelope
  try {
    envelope = RecordEnvelope.createFromProtobuf(bytes)
  } catch (err: any) {
    throw new InvalidMessageError(`Undecodable message envelope: ${err.message}`)
  }
  if (!equals(envelope.payloadType, MESSAGE_PAYLOAD_TYPE)) throw new InvalidMessageError('Envelope does not hold an instant message')
  const message = unmarshalMessage(envelope.payload, maxBodySize)
  if (!signedBySender(envelope, message.from)) throw new InvalidMessageSignatureError(`Message from ${message.from.toString()} signed by another key`)
  // a malformed key or signature makes validate() throw rather than return false; each message is
  // unique, so its check is not remembered
  const valid = await validEnvelope(envelope, MESSAGE_DOMAIN, { remember: false }).catch(() => false)
  if (!valid) throw new InvalidMessageSignatureError('Message signature does not verify')
  return message
}

/**
 * Whether the envelope's key is the sender's. An Ed25519 peer id holds its
 * key, compared as is; other ids (hashes of a key) are derived from the
 * envelope's key and compared
 */
function signedBySender (envelope: RecordEnvelope, sender: PeerId): boolean {
  if (sender.publicKey != null) return sender.publicKey.type === envelope.publicKey.type && sender.publicKey.equals(envelope.publicKey)
  try {
    return peerIdFromPublicKey(envelope.publicKey).equals(sender)
  } catch {
    return false
  }
}

/** Peer ids decoded lately, by their multihash: a burst names the same two peers in every message */
const MAX_DECODED_PEERS = 1024
const decodedPeers = new Map<string, PeerId>()

function decodePeerId (bytes: Uint8Array, what: string): PeerId {
  // node's base64 names the bytes cheaply; the PeerId kept carries its base58 string once made
  const id = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  let peer = decodedPeers.get(id)
  if (peer != null) return peer
  try {
    peer = peerIdFromMultihash(Digest.decode(bytes))
  } catch (err: any) {
    throw new InvalidMessageError(`Message ${what} is not a peer id: ${err.message}`)
  }
  if (decodedPeers.size >= MAX_DECODED_PEERS) decodedPeers.delete(decodedPeers.keys().next().value as string)
  decodedPeers.set(id, peer)
  return peer
}
