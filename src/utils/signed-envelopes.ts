/**
 * libp2p signed envelopes (RFC 0002) signed and verified with node's crypto,
 * keys kept as KeyObjects: presence records, delegations, messages and
 * acknowledgements all go through here. @libp2p/crypto builds a KeyObject
 * from JWK on every Ed25519 sign and verify (sign 97 µs, verify 109 µs
 * here); with the object cached the same operations take 35 and 85 µs. The
 * envelopes are libp2p's, byte for byte: only where the key object comes
 * from differs. Other key types go through @libp2p/crypto as before.
 *
 * Signatures found valid are remembered, by a hash of what they cover, for
 * the whole process: nodes that share one (the XMPP gateway's identities,
 * the benches, the tests) receive the same record from a presentity they
 * all watch, and each would check the same signature again.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import { fromString } from 'uint8arrays/from-string'
import { toString } from 'uint8arrays/to-string'
import { lengthPrefixed } from './frame-writes.js'
import type { PeerId, PrivateKey, PublicKey } from '@libp2p/interface'

/** Signers' public keys kept: a node's working set of contacts and correspondents, a few hundred bytes each */
const MAX_CACHED_KEYS = 1024
const cachedKeys = new Map<string, KeyObject>()
/**
 * Valid signatures remembered, 44 bytes of key each (about 100 bytes with the
 * map's overhead): every watched presentity's current record and will, and
 * a burst of messages. A forger cannot enter one: only a signature that
 * verified is kept
 */
const MAX_VERIFIED = 4096
const verified = new Set<string>()
/** Our keys turned into signers once, for as long as the key object lives */
const signers = new WeakMap<PrivateKey, EnvelopeSigner>()

/** What the signature covers (RFC 0002): domain, payload type and payload, each prefixed by its length */
function signedBytes (domain: string, payloadType: Uint8Array, payload: Uint8Array): Uint8Array {
  return lengthPrefixed([fromString(domain), payloadType, payload])
}

/**
 * A hash naming a signed statement: the key's type and bytes, the signature
 * and what it covers, each prefixed by its length so that no two statements
 * run together into the same bytes
 */
function statementId (parts: Uint8Array[]): string {
  const hash = createHash('sha256')
  const length = new Uint8Array(4)
  for (const part of parts) {
    new DataView(length.buffer).setUint32(0, part.byteLength)
    hash.update(length).update(part)
  }
  return hash.digest('base64')
}

/** Least recently used out first: a Map keeps insertion order, so a hit is moved to the end */
function touch<V> (cache: Map<string, V>, id: string, make: () => V, max: number): V {
  let value = cache.get(id)
  if (value != null) {
    cache.delete(id)
  } else {
    value = make()
    if (cache.size >= max) cache.delete(cache.keys().next().value as string)
  }
  cache.set(id, value)
  return value
}

function ed25519PublicKey (raw: Uint8Array): KeyObject {
  // node's encoder: the JavaScript base64 of uint8arrays showed in a recipient's profile, once per message
  const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url')
  return touch(cachedKeys, id, () => createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', x: id } }), MAX_CACHED_KEYS)
}

/**
 * `remember: false` for statements no other node in the process checks
 * after us (a message, an acknowledgement: each goes to one peer): they
 * would only cost a hash each and push shared records out of the cache
 */
export interface CacheOptions {
  remember?: boolean
}

/** Our node's signer: the private key turned into a KeyObject once */
export class EnvelopeSigner {
  readonly peerId: PeerId
  private readonly privateKey: PrivateKey
  private readonly keyObject?: KeyObject

  constructor (privateKey: PrivateKey) {
    this.privateKey = privateKey
    this.peerId = peerIdFromPrivateKey(privateKey)
    if (privateKey.type === 'Ed25519') {
      const raw = privateKey.raw
      this.keyObject = createPrivateKey({
        format: 'jwk',
        key: { kty: 'OKP', crv: 'Ed25519', d: toString(raw.subarray(0, 32), 'base64url'), x: toString(privateKey.publicKey.raw, 'base64url') }
      })
    }
  }

  /** The signer of `privateKey`, made once per key object */
  static of (privateKey: PrivateKey): EnvelopeSigner {
    let signer = signers.get(privateKey)
    if (signer == null) {
      signer = new EnvelopeSigner(privateKey)
      signers.set(privateKey, signer)
    }
    return signer
  }

  /**
   * A marshalled signed envelope of `payload`. The signature is remembered
   * as valid (unless `remember` is false): our own record is checked before
   * it is stored in the DHT, and a check of what we just signed would come
   * before the first push
   */
  async seal (domain: string, payloadType: Uint8Array, payload: Uint8Array, options: CacheOptions = {}): Promise<Uint8Array> {
    const data = signedBytes(domain, payloadType, payload)
    const { publicKey } = this.privateKey
    const signature = this.keyObject != null ? new Uint8Array(sign(null, data, this.keyObject)) : await this.privateKey.sign(data)
    if (options.remember !== false) remember(statementId([fromString(publicKey.type), publicKey.raw, signature, data]))
    return new RecordEnvelope({ publicKey, payloadType, payload, signature }).marshal()
  }
}

/** Whether `envelope` carries a valid signature of its key for `domain`; false for a malformed key or signature */
export async function validEnvelope (envelope: RecordEnvelope, domain: string, options: CacheOptions = {}): Promise<boolean> {
  const data = signedBytes(domain, envelope.payloadType, envelope.payload)
  const key: PublicKey = envelope.publicKey
  const id = options.remember === false ? undefined : statementId([fromString(key.type), key.raw, envelope.signature, data])
  if (id != null && verified.has(id)) return true
  let valid: boolean
  try {
    valid = key.type === 'Ed25519' ? verify(null, data, ed25519PublicKey(key.raw), envelope.signature) : await key.verify(data, envelope.signature)
  } catch {
    valid = false
  }
  if (valid && id != null) remember(id)
  return valid
}

/** A statement whose signature is valid, kept until MAX_VERIFIED newer ones push it out */
function remember (id: string): void {
  if (verified.size >= MAX_VERIFIED) verified.delete(verified.values().next().value as string)
  verified.add(id)
}
