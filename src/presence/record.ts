/**
 * Presence records: the plain TypeScript form, its protobuf encoding and its
 * signed-envelope form (see pb/presence.proto for the wire format).
 */
import { peerIdFromMultihash, peerIdFromPrivateKey, peerIdFromPublicKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import { multiaddr } from '@multiformats/multiaddr'
import * as Digest from 'multiformats/hashes/digest'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { AVAILABILITIES, MAX_RECORD_SIZE, PRESENCE_DOMAIN, PRESENCE_PAYLOAD_TYPE } from './constants.js'
import { ExpiredRecordError, InvalidPresenceRecordError, InvalidSignatureError, PresenceRecordTooLargeError, UnauthorizedSignerError } from './errors.js'
import { Basic as PBBasic, PresenceRecord as PBPresenceRecord } from './pb/presence.js'
import { validatePresence } from './record-rules.js'
import { verifyDelegation } from './delegation.js'
import type { DecodedParts } from './decoded-parts.js'
import { EnvelopeSigner, validEnvelope } from '../utils/signed-envelopes.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export { AVAILABILITIES, validatePresence }

/** RFC 3863 basic status: can the presentity be reached at all */
export type Basic = 'open' | 'closed'

/** Willingness to communicate, refining an 'open' basic status */
export type Availability = typeof AVAILABILITIES[number]

export interface PresenceNote {
  text: string
  /** BCP 47 language tag (the xs:language syntax of xml:lang) */
  lang?: string
}

/** vCard-like contact information for the person behind the presentity */
export interface PresenceContact {
  emails: string[]
  /** Digits with optional leading '+' and visual separators: space ( ) . / - */
  phones: string[]
  /** Free-form postal address, lines separated by '\n' */
  postal?: string
  /** An http(s) URL */
  web?: string
}

/** Data outside this format's vocabulary, kept and passed on uninterpreted */
export interface PresenceExtension {
  /** Absolute URI naming the vocabulary; not a PIDF, XML or presence-mesh namespace */
  ns: string
  /** Local name, an XML NCName of ASCII letters, digits, '_', '-', '.' */
  name: string
  value: string | Uint8Array
}

export interface PresenceRecord {
  presentity: PeerId
  basic: Basic
  availability: Availability
  note?: PresenceNote
  contact: PresenceContact
  /** Where the presentity's node listens, relay circuit addresses included */
  addresses: Multiaddr[]
  /** A higher seq replaces a lower one for the same presentity */
  seq: bigint
  /** Milliseconds since the Unix epoch */
  issuedAt: number
  /** Milliseconds since the Unix epoch, after issuedAt */
  expiresAt: number
  /** Unique by (ns, name), in the order the presentity gave them */
  extensions: PresenceExtension[]
  /**
   * Access-controlled views of this record, each sealed with its view's
   * content key (src/presence/access/views.ts). Absent or empty: none.
   */
  views?: SealedView[]
  /**
   * The plaintext fields are a placeholder, not the presentity's state: only
   * a watcher holding a view key learns more. Absent: false.
   */
  restricted?: boolean
  /**
   * Signed delegation letting the envelope's key publish for the presentity
   * (src/presence/delegation.ts); absent when the presentity signs itself
   */
  delegation?: Uint8Array
}

/** One access-controlled view, sealed; see SealedView in pb/presence.proto */
export interface SealedView {
  /** 8 bytes naming the content key */
  keyId: Uint8Array
  /** 24 bytes */
  nonce: Uint8Array
  ciphertext: Uint8Array
}

export interface OpenPresenceOptions {
  /** Current time in ms since the epoch, default Date.now() */
  now?: number
  /** Accept a record whose expiresAt has passed, e.g. to show "last seen" */
  allowExpired?: boolean
}

export interface OpenedPresence {
  record: PresenceRecord
  /** The key that signed the envelope */
  signer: PeerId
}

/** What to show for a presentity: expired and closed records look alike */
export type EffectiveStatus =
  | { basic: 'open', availability: Availability }
  | { basic: 'closed', lastSeen: number, expired: boolean }

/**
 * Encode a record's payload. Throws InvalidPresenceRecordError if the record
 * breaks a rule of the format, so nothing we write is refused by readers.
 */
export function marshalPresence (record: PresenceRecord): Uint8Array {
  validatePresence(record)
  const { contact } = record
  const hasContact = contact.emails.length > 0 || contact.phones.length > 0 || contact.postal != null || contact.web != null

  return PBPresenceRecord.encode({
    presentity: record.presentity.toMultihash().bytes,
    basic: record.basic === 'open' ? PBBasic.BASIC_OPEN : PBBasic.BASIC_CLOSED,
    availability: AVAILABILITIES.indexOf(record.availability),
    note: record.note == null ? undefined : { text: record.note.text, lang: record.note.lang ?? '' },
    // Left out when empty: most records carry no contact information
    contact: hasContact ? { ...contact } : undefined,
    addresses: record.addresses.map(ma => ma.bytes),
    seq: record.seq,
    issuedAt: BigInt(record.issuedAt),
    expiresAt: BigInt(record.expiresAt),
    extensions: record.extensions.map(({ ns, name, value }) => typeof value === 'string'
      ? { ns, name, stringValue: value }
      : { ns, name, bytesValue: new Uint8Array(value) }),
    views: (record.views ?? []).map(({ keyId, nonce, ciphertext }) => ({ keyId: new Uint8Array(keyId), nonce: new Uint8Array(nonce), ciphertext: new Uint8Array(ciphertext) })),
    restricted: record.restricted === true,
    delegation: record.delegation == null ? undefined : new Uint8Array(record.delegation)
  })
}

/**
 * Decode a record's payload. Throws only PresenceRecordTooLargeError or
 * InvalidPresenceRecordError, whatever the input: the bytes come from the
 * network, and callers must be able to tell bad data from bugs.
 */
export function unmarshalPresence (bytes: Uint8Array, parts?: DecodedParts): PresenceRecord {
  if (bytes.byteLength > MAX_RECORD_SIZE) {
    throw new PresenceRecordTooLargeError(`Presence record of ${bytes.byteLength} bytes exceeds ${MAX_RECORD_SIZE}`)
  }

  let pb: PBPresenceRecord
  try {
    pb = PBPresenceRecord.decode(bytes)
  } catch (err) {
    throw new InvalidPresenceRecordError(`Undecodable presence record: ${errorMessage(err)}`)
  }

  const record: PresenceRecord = {
    presentity: parts?.peerId(pb.presentity, decodePeerId) ?? decodePeerId(pb.presentity),
    basic: pb.basic === PBBasic.BASIC_OPEN ? 'open' : 'closed',
    // A value added after this reader was written means nothing to it yet
    availability: AVAILABILITIES[pb.availability] ?? 'unknown',
    note: pb.note == null ? undefined : { text: pb.note.text, lang: pb.note.lang === '' ? undefined : pb.note.lang },
    contact: {
      emails: pb.contact?.emails ?? [],
      phones: pb.contact?.phones ?? [],
      postal: pb.contact?.postal,
      web: pb.contact?.web
    },
    addresses: pb.addresses.map(bytes => parts?.address(bytes, decodeMultiaddr) ?? decodeMultiaddr(bytes)),
    seq: pb.seq,
    issuedAt: decodeTimestamp(pb.issuedAt, 'issuedAt'),
    expiresAt: decodeTimestamp(pb.expiresAt, 'expiresAt'),
    extensions: pb.extensions.map(({ ns, name, bytesValue, stringValue }) => {
      if (stringValue != null && bytesValue == null) return { ns, name, value: stringValue }
      // Copied so the record does not alias (and pin) the caller's buffer
      if (bytesValue != null && stringValue == null) return { ns, name, value: bytesValue.slice() }
      throw new InvalidPresenceRecordError(`Extension ${ns} ${name} must have exactly one of a string or bytes value`)
    }),
    // copied for the same reason as extension values
    views: pb.views.map(({ keyId, nonce, ciphertext }) => ({ keyId: keyId.slice(), nonce: nonce.slice(), ciphertext: ciphertext.slice() })),
    restricted: pb.restricted,
    delegation: pb.delegation.byteLength === 0 ? undefined : pb.delegation.slice()
  }

  validatePresence(record)
  return record
}

/**
 * Sign a record with the presentity's key into envelope bytes, ready to
 * publish. Throws UnauthorizedSignerError if the key may not sign for the
 * presentity, PresenceRecordTooLargeError if the envelope exceeds
 * MAX_RECORD_SIZE, and InvalidPresenceRecordError for an invalid record.
 */
export async function sealPresence (privateKey: PrivateKey, record: PresenceRecord): Promise<Uint8Array> {
  const payload = marshalPresence(record)
  await assertAllowedSigner(peerIdFromPrivateKey(privateKey), record)

  const bytes = await EnvelopeSigner.of(privateKey).seal(PRESENCE_DOMAIN, PRESENCE_PAYLOAD_TYPE, payload)

  assertSignedSize(bytes)
  return bytes
}

/**
 * Verify and decode envelope bytes from the network. Throws only the named
 * errors of ./errors.js. The cheap checks run before the signature check so
 * that junk costs little; every check must pass either way. `read`, what
 * readPresence made of the same bytes, saves decoding them again.
 */
export async function openPresence (bytes: Uint8Array, options: OpenPresenceOptions = {}, read?: ReadPresence): Promise<OpenedPresence> {
  assertSignedSize(bytes)
  const envelope = read?.envelope ?? decodeEnvelope(bytes)
  assertCanonical(envelope, bytes)
  return verifyPresence(envelope, read?.record ?? unmarshalPresence(envelope.payload), options)
}

/** Envelope bytes read without checking the signature or the encoding's canonical form */
export interface ReadPresence {
  envelope: RecordEnvelope
  record: PresenceRecord
}

/** The record inside envelope bytes, unverified (verified already, or only to be looked at); undefined if unreadable. `parts`: a node's decoded peer ids and addresses */
export function readPresence (bytes: Uint8Array, parts?: DecodedParts): ReadPresence | undefined {
  try {
    const envelope = RecordEnvelope.createFromProtobuf(bytes)
    return { envelope, record: unmarshalPresence(envelope.payload, parts) }
  } catch {
    return undefined
  }
}

async function verifyPresence (envelope: RecordEnvelope, record: PresenceRecord, options: OpenPresenceOptions): Promise<OpenedPresence> {
  if (!uint8ArrayEquals(envelope.payloadType, PRESENCE_PAYLOAD_TYPE)) {
    throw new InvalidPresenceRecordError('Envelope does not hold a presence record (unexpected payload type)')
  }
  let signer: PeerId
  try {
    signer = peerIdFromPublicKey(envelope.publicKey)
  } catch (err) {
    throw new UnauthorizedSignerError(`Envelope key has no peer id: ${errorMessage(err)}`)
  }
  await assertAllowedSigner(signer, record)

  const now = options.now ?? Date.now()
  if (options.allowExpired !== true && now >= record.expiresAt) {
    throw new ExpiredRecordError(`Presence record expired at ${new Date(record.expiresAt).toISOString()}`)
  }

  if (!(await validEnvelope(envelope, PRESENCE_DOMAIN))) {
    throw new InvalidSignatureError('Presence envelope signature does not verify')
  }

  return { record, signer }
}

/** Reduce a record to what a viewer should see at time `now` */
export function effectiveStatus (record: PresenceRecord, now: number = Date.now()): EffectiveStatus {
  const expired = now >= record.expiresAt
  if (record.basic === 'closed' || expired) {
    return { basic: 'closed', lastSeen: record.issuedAt, expired }
  }
  return { basic: 'open', availability: record.availability }
}

/**
 * The one place that decides which keys may sign a presentity's record: its
 * own, or a key it delegated to, with the delegation in the record.
 */
async function assertAllowedSigner (signer: PeerId, record: PresenceRecord): Promise<void> {
  if (signer.equals(record.presentity)) {
    // a delegation means nothing in the presentity's own record: one form per record
    if (record.delegation != null) throw new UnauthorizedSignerError('The presentity\'s own record carries a delegation')
    return
  }
  if (record.delegation == null) {
    throw new UnauthorizedSignerError(`Record of ${record.presentity.toString()} signed by ${signer.toString()}`)
  }
  await verifyDelegation(record.delegation, record.presentity, signer, record.issuedAt)
}

function assertSignedSize (bytes: Uint8Array): void {
  if (bytes.byteLength > MAX_RECORD_SIZE) {
    throw new PresenceRecordTooLargeError(`Signed presence record of ${bytes.byteLength} bytes exceeds ${MAX_RECORD_SIZE}`)
  }
}

function decodeEnvelope (bytes: Uint8Array): RecordEnvelope {
  try {
    return RecordEnvelope.createFromProtobuf(bytes)
  } catch (err) {
    throw new InvalidPresenceRecordError(`Undecodable presence envelope: ${errorMessage(err)}`)
  }
}

/**
 * The signature covers only the domain, payload type and payload. Requiring
 * the canonical encoding rejects unsigned extra fields or duplicates that a
 * relay could otherwise attach, and gives each record exactly one form.
 */
function assertCanonical (envelope: RecordEnvelope, bytes: Uint8Array): void {
  let canonical: Uint8Array
  try {
    canonical = envelope.marshal()
  } catch (err) {
    throw new InvalidPresenceRecordError(`Unusable presence envelope: ${errorMessage(err)}`)
  }
  if (!uint8ArrayEquals(canonical, bytes)) {
    throw new InvalidPresenceRecordError('Presence envelope is not canonically encoded')
  }
}

function decodePeerId (bytes: Uint8Array): PeerId {
  try {
    return peerIdFromMultihash(Digest.decode(bytes))
  } catch (err) {
    throw new InvalidPresenceRecordError(`Presentity is not a peer id: ${errorMessage(err)}`)
  }
}

function decodeMultiaddr (bytes: Uint8Array): Multiaddr {
  try {
    return multiaddr(bytes.slice())
  } catch (err) {
    throw new InvalidPresenceRecordError(`Invalid address: ${errorMessage(err)}`)
  }
}

function decodeTimestamp (value: bigint, field: string): number {
  // Range-checked by validatePresence; this only keeps precision errors out
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidPresenceRecordError(`${field} is out of range`)
  }
  return Number(value)
}

function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
