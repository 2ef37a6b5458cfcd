/**
 * What a node decodes again and again from the records pushed to it: its
 * contacts' peer ids and addresses, the same in each change of the same
 * presentity. A fresh PeerId costs its string form (base58, the key of every
 * map a notify passes) once more, and parsing a record's addresses was about
 * half of decoding it. Each node keeps its own (PresenceValidation): the
 * savings are a watcher's own, from its second record of a contact on, and
 * nodes that share a process share nothing.
 *
 * Only the parts of records the node accepted are kept (`keep`): a record of
 * a presentity it does not watch, or one that does not verify, is decoded
 * and forgotten, so a stranger cannot fill the maps; bytes that do not decode
 * throw as before, each time.
 */
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * Peer ids and addresses kept, each: a node's contacts and a few addresses
 * apiece. About 1 KB an entry with its string form (relay circuits), ≈ 4 MB
 * at the bound; a node of 100 contacts holds a few hundred entries
 */
export const MAX_DECODED_PARTS = 2_048

export class DecodedParts {
  private readonly peerIds = new Map<string, PeerId>()
  private readonly addresses = new Map<string, Multiaddr>()
  private readonly max: number

  constructor (max = MAX_DECODED_PARTS) {
    this.max = max
  }

  /** The PeerId of multihash `bytes` kept before, else `decode(bytes)` */
  peerId (bytes: Uint8Array, decode: (bytes: Uint8Array) => PeerId): PeerId {
    return this.peerIds.get(keyOf(bytes)) ?? decode(bytes)
  }

  /** The address of `bytes` kept before, else `decode(bytes)` (a Multiaddr is immutable) */
  address (bytes: Uint8Array, decode: (bytes: Uint8Array) => Multiaddr): Multiaddr {
    return this.addresses.get(keyOf(bytes)) ?? decode(bytes)
  }

  /** Keep the parts of a record the node accepted, for its presentity's next records */
  keep (record: { presentity: PeerId, addresses: Multiaddr[] }): void {
    this.set(this.peerIds, record.presentity.toMultihash().bytes, record.presentity)
    for (const address of record.addresses) this.set(this.addresses, address.bytes, address)
  }

  get size (): number {
    return this.peerIds.size + this.addresses.size
  }

  private set<T> (map: Map<string, T>, bytes: Uint8Array, value: T): void {
    const key = keyOf(bytes)
    if (map.get(key) === value) return
    map.set(key, value)
    if (map.size > this.max) map.delete(map.keys().next().value as string)
  }
}

/** node's base64 (native) as the key: the bytes themselves cannot be one */
function keyOf (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}
