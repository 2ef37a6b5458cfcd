/**
 * What a node decodes again and again from the records pushed to it: its
 * contacts' peer ids and addresses, the same in each change of the same
 * presentity. A fresh PeerId costs its string form (base58, the key of every
 * map a notify passes) once more, and parsing a record's addresses was about
 * half of decoding it. Each node keeps its own (PresenceValidation): the
 * savings are a watcher's own, from its second record of a contact on, and
 * nodes that share a process share nothing.
 *
 * Bytes that do not decode are never kept: they throw as before, each time.
 */
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Presentities and addresses kept: a node's contacts, a few addresses each */
export const MAX_DECODED_PARTS = 4_096

export class DecodedParts {
  private readonly peerIds = new Map<string, PeerId>()
  private readonly addresses = new Map<string, Multiaddr>()
  private readonly max: number

  constructor (max = MAX_DECODED_PARTS) {
    this.max = max
  }

  /** The PeerId of multihash `bytes` made before, else `decode(bytes)`, kept */
  peerId (bytes: Uint8Array, decode: (bytes: Uint8Array) => PeerId): PeerId {
    return this.kept(this.peerIds, bytes, decode)
  }

  /** The address of `bytes` made before, else `decode(bytes)`, kept (a Multiaddr is immutable) */
  address (bytes: Uint8Array, decode: (bytes: Uint8Array) => Multiaddr): Multiaddr {
    return this.kept(this.addresses, bytes, decode)
  }

  get size (): number {
    return this.peerIds.size + this.addresses.size
  }

  private kept<T> (map: Map<string, T>, bytes: Uint8Array, decode: (bytes: Uint8Array) => T): T {
    // node's base64 (native) as the key: the bytes themselves cannot be one
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
    let value = map.get(key)
    if (value == null) {
      value = decode(bytes)
      map.set(key, value)
      if (map.size > this.max) map.delete(map.keys().next().value as string)
    }
    return value
  }
}
