import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { open, seal, SealedBoxError } from '../../src/mailbox/sealed-box.js'

describe('sealed boxes', () => {
  it('open only for their recipient, and not once altered', async () => {
    const key = await generateKeyPair('Ed25519')
    const other = await generateKeyPair('Ed25519')
    const recipient = peerIdFromPrivateKey(key)
    const plaintext = new TextEncoder().encode('for your eyes only')
    const box = seal(recipient, plaintext)
    assert.deepEqual(open(key, recipient, box), plaintext)
    assert.throws(() => open(other, peerIdFromPrivateKey(other), box), SealedBoxError)
    for (const index of [0, 40, box.length - 1]) {
      const altered = box.slice()
      altered[index] ^= 0x01
      assert.throws(() => open(key, recipient, altered), SealedBoxError)
    }
    assert.notDeepEqual(seal(recipient, plaintext), box, 'each box uses a fresh ephemeral key and nonce')
  })

  it('round-trips any plaintext, and only ever throws SealedBoxError on junk', async () => {
    const key = await generateKeyPair('Ed25519')
    const recipient = peerIdFromPrivateKey(key)
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), plaintext => {
      assert.deepEqual(open(key, recipient, seal(recipient, plaintext)), plaintext)
    }), { numRuns: 200 })
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), junk => {
      assert.throws(() => open(key, recipient, junk), SealedBoxError)
    }), { numRuns: 500 })
  })
})
