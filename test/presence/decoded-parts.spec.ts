/**
 * A node's decoded peer ids and addresses (src/presence/decoded-parts.ts):
 * the same bytes give the same object, bytes that do not decode are never
 * kept, and the number kept is bounded whatever a stranger sends.
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
  it('gives the same bytes the same object, equal to a fresh decode', async () => {
    const parts = new DecodedParts()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const bytes = peer.toMultihash().bytes
    const first = parts.peerId(bytes, decodePeer)
    // a copy of the bytes, as the next record brings them
    assert.equal(parts.peerId(bytes.slice(), decodePeer), first)
    assert.ok(first.equals(peer))
    const address = multiaddr('/ip4/192.0.2.1/tcp/4001')
    const a = parts.address(address.bytes.slice(), decodeAddress)
    assert.equal(parts.address(address.bytes.slice(), decodeAddress), a)
    assert.equal(a.toString(), '/ip4/192.0.2.1/tcp/4001')
  })

  it('keeps nothing that does not decode, and a bounded number of what does (property)', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 48 }), { maxLength: 60 }), inputs => {
      const parts = new DecodedParts(16)
      for (const bytes of inputs) {
        let fresh: string | undefined
        try {
          fresh = decodeAddress(bytes).toString()
        } catch {
          fresh = undefined
        }
        const before = parts.size
        let kept: string | undefined
        try {
          kept = parts.address(bytes, decodeAddress).toString()
        } catch {
          kept = undefined
          assert.equal(parts.size, before, 'undecodable bytes were kept')
        }
        assert.equal(kept, fresh)
        assert.ok(parts.size <= 16)
      }
    }))
  })
})
