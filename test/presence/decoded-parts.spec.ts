/**
 * A node's decoded peer ids and addresses (src/presence/decoded-parts.ts):
 * what it kept comes back as the same object, what it did not keep is
 * decoded afresh (and throws as before when it does not decode), and the
 * number kept is bounded.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromMultihash, peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import * as Digest from 'multiformats/hashes/digest'
import fc from 'fast-check'
import { DecodedParts } from '../../src/presence/decoded-parts.js'

const decodePeer = (bytes: Uint8Array): ReturnType<typeof peerIdFromMultihash> => peerIdFromMultihash(Digest.decode(bytes))
const decodeAddress = (bytes: Uint8Array): ReturnType<typeof multiaddr> => multiaddr(bytes.slice())

describe('decoded parts of received records', () => {
  it('gives back what it kept as the same object, and decodes the rest afresh', async () => {
    const parts = new DecodedParts()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const address = multiaddr('/ip4/192.0.2.1/tcp/4001')
    const bytes = peer.toMultihash().bytes
    // not kept yet (a stranger's record, one not accepted): a fresh decode each time
    const fresh = parts.peerId(bytes, decodePeer)
    assert.notEqual(parts.peerId(bytes, decodePeer), fresh)
    assert.equal(parts.size, 0)
    parts.keep({ presentity: fresh, addresses: [address] })
    // a copy of the bytes, as the next record brings them
    assert.equal(parts.peerId(bytes.slice(), decodePeer), fresh)
    assert.equal(parts.address(address.bytes.slice(), decodeAddress), address)
    assert.equal(parts.size, 2)
  })

  it('answers any bytes as a fresh decode does, and keeps at most its bound (property)', async () => {
    const presentity = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 48 }), { maxLength: 60 }), inputs => {
      const parts = new DecodedParts(16)
      for (const bytes of inputs) {
        const decoded = (decode: (b: Uint8Array) => { toString: () => string }): string => {
          try {
            return decode(bytes).toString()
          } catch (err: any) {
            return `throws ${String(err?.name)}`
          }
        }
        const fresh = decoded(decodeAddress)
        const answered = decoded(b => parts.address(b, decodeAddress))
        assert.equal(answered, fresh)
        if (!fresh.startsWith('throws')) parts.keep({ presentity, addresses: [decodeAddress(bytes)] })
        assert.ok(parts.size <= 17, `${parts.size} kept`)
      }
    }))
  })
})
