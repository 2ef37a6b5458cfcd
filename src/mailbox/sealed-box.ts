/**
 * Sealing to a peer's identity: what a mailbox holds can be read only by
 * its recipient (RFC 2779 §5.4.6–7). The recipient's Ed25519 identity key is
 * mapped to X25519; each box uses a fresh ephemeral X25519 key, HKDF-SHA256
 * and XChaCha20-Poly1305 (@noble/curves, @noble/hashes, @noble/ciphers).
 *
 * box = ephemeral public key (32) ‖ nonce (24) ‖ ciphertext+tag
 * key = HKDF-SHA256(ikm = X25519(eph, recipient), salt = eph ‖ recipient X25519 key, info = "presence-mesh sealed box v1")
 * The recipient's peer id multihash is the associated data.
 *
 * The X25519 operations run in node's crypto (OpenSSL), with the keys
 * that do not change (ours, a recipient's) converted once and kept: in
 * JavaScript each took a millisecond or more, which paced the draining of a
 * full mailbox. The box format is unchanged.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { concat } from 'uint8arrays/concat'
import { fromString } from 'uint8arrays/from-string'
import { toString } from 'uint8arrays/to-string'
import type { PeerId, PrivateKey } from '@libp2p/interface'

const INFO = fromString('presence-mesh sealed box v1')
const HEADER = 32 + 24

/** Thrown when a box cannot be opened: not for this key, or altered */
export class SealedBoxError extends Error {
  static name = 'SealedBoxError'
  name = 'SealedBoxError'
}

function ed25519PublicKey (peer: PeerId): Uint8Array {
  if (peer.type !== 'Ed25519' || peer.publicKey == null) throw new SealedBoxError('Can only seal to Ed25519 identities')
  return peer.publicKey.raw
}

/** Recipients' X25519 keys kept: the people one writes to while they are offline */
const MAX_RECIPIENTS = 256
const recipients = new Map<string, { raw: Uint8Array, key: KeyObject }>()
/** PKCS #8 for an X25519 private key (RFC 8410), before its 32 bytes */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')
/** Our own X25519 key, per identity */
const own = new WeakMap<PrivateKey, { raw: Uint8Array, key: KeyObject }>()

function x25519Public (raw: Uint8Array): KeyObject {
  return createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'X25519', x: toString(raw, 'base64url') } })
}

function rawPublic (key: KeyObject): Uint8Array {
  return fromString(key.export({ format: 'jwk' }).x as string, 'base64url')
}

function recipientKey (peer: PeerId): { raw: Uint8Array, key: KeyObject } {
  const id = peer.toString()
  let known = recipients.get(id)
  if (known == null) {
    const raw = ed25519.utils.toMontgomery(ed25519PublicKey(peer))
    known = { raw, key: x25519Public(raw) }
    if (recipients.size >= MAX_RECIPIENTS) recipients.delete(recipients.keys().next().value as string)
    recipients.set(id, known)
  }
  return known
}

function ownKey (privateKey: PrivateKey): { raw: Uint8Array, key: KeyObject } {
  let known = own.get(privateKey)
  if (known == null) {
    const secret = ed25519.utils.toMontgomerySecret(privateKey.raw.subarray(0, 32))
    const key = createPrivateKey({ format: 'der', type: 'pkcs8', key: Buffer.concat([X25519_PKCS8_PREFIX, secret]) })
    known = { raw: rawPublic(createPublicKey(key)), key }
    own.set(privateKey, known)
  }
  return known
}

function boxKey (shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array): Uint8Array {
  return hkdf(sha256, shared, concat([ephemeral, recipient]), INFO, 32)
}

export function seal (recipient: PeerId, plaintext: Uint8Array): Uint8Array {
  const recipientX = recipientKey(recipient)
  const pair = generateKeyPairSync('x25519')
  const ephemeral = rawPublic(pair.publicKey)
  const key = boxKey(diffieHellman({ privateKey: pair.privateKey, publicKey: recipientX.key }), ephemeral, recipientX.raw)
  const nonce = randomBytes(24)
  const ciphertext = xchacha20poly1305(key, nonce, recipient.toMultihash().bytes).encrypt(plaintext)
  return concat([ephemeral, nonce, ciphertext])
}

export function open (privateKey: PrivateKey, self: PeerId, box: Uint8Array): Uint8Array {
  if (privateKey.type !== 'Ed25519') throw new SealedBoxError('Can only open boxes with an Ed25519 identity')
  if (box.byteLength < HEADER + 16) throw new SealedBoxError('Sealed box too short')
  const ownX = ownKey(privateKey)
  const ephemeral = box.subarray(0, 32)
  try {
    const key = boxKey(diffieHellman({ privateKey: ownX.key, publicKey: x25519Public(ephemeral) }), ephemeral, ownX.raw)
    return xchacha20poly1305(key, box.subarray(32, HEADER), self.toMultihash().bytes).decrypt(box.subarray(HEADER))
  } catch (err: any) {
    throw new SealedBoxError(`Cannot open sealed box: ${err.message}`)
  }
}
