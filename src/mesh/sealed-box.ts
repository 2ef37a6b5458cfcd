/**
 * Sealing to a peer's identity: what a mailbox holds can be read only by
 * its recipient (RFC 2779 §5.4.6–7). The recipient's Ed25519 identity key is
 * mapped to X25519; each box uses a fresh ephemeral X25519 key, HKDF-SHA256
 * and XChaCha20-Poly1305 (@noble/curves, @noble/hashes, @noble/ciphers).
 *
 * box = ephemeral public key (32) ‖ nonce (24) ‖ ciphertext+tag
 * key = HKDF-SHA256(ikm = X25519(eph, recipient), salt = eph ‖ recipient X25519 key, info = "presence-mesh sealed box v1")
 * The recipient's peer id multihash is the associated data.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { concat } from 'uint8arrays/concat'
import { fromString } from 'uint8arrays/from-string'
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

function boxKey (shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array): Uint8Array {
  return hkdf(sha256, shared, concat([ephemeral, recipient]), INFO, 32)
}

export function seal (recipient: PeerId, plaintext: Uint8Array): Uint8Array {
  const recipientX = ed25519.utils.toMontgomery(ed25519PublicKey(recipient))
  const ephemeralSecret = x25519.utils.randomSecretKey()
  const ephemeral = x25519.getPublicKey(ephemeralSecret)
  const key = boxKey(x25519.getSharedSecret(ephemeralSecret, recipientX), ephemeral, recipientX)
  const nonce = randomBytes(24)
  const ciphertext = xchacha20poly1305(key, nonce, recipient.toMultihash().bytes).encrypt(plaintext)
  return concat([ephemeral, nonce, ciphertext])
}

export function open (privateKey: PrivateKey, self: PeerId, box: Uint8Array): Uint8Array {
  if (privateKey.type !== 'Ed25519') throw new SealedBoxError('Can only open boxes with an Ed25519 identity')
  if (box.byteLength < HEADER + 16) throw new SealedBoxError('Sealed box too short')
  const secret = ed25519.utils.toMontgomerySecret(privateKey.raw.subarray(0, 32))
  const ownX = x25519.getPublicKey(secret)
  const ephemeral = box.subarray(0, 32)
  try {
    const key = boxKey(x25519.getSharedSecret(secret, ephemeral), ephemeral, ownX)
    return xchacha20poly1305(key, box.subarray(32, HEADER), self.toMultihash().bytes).decrypt(box.subarray(HEADER))
  } catch (err: any) {
    throw new SealedBoxError(`Cannot open sealed box: ${err.message}`)
  }
}
