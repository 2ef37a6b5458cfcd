import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import fc from 'fast-check'
import { fromString } from 'uint8arrays/from-string'
import { signDepositToken, verifyDepositToken } from '../../src/mailbox/deposit-token.js'
import { DepositTokenError } from '../../src/mailbox/errors.js'
import { DepositToken } from '../../src/mailbox/pb/mailbox.js'
import type { Record } from '@libp2p/interface'

describe('deposit tokens', () => {
  it('verify for the recipient that signed them and the depositor they name, until they expire', async () => {
    const recipientKey = await generateKeyPair('Ed25519')
    const recipient = peerIdFromPrivateKey(recipientKey)
    const friend = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const now = Date.now()
    const token = await signDepositToken(recipientKey, friend, now + 60_000)
    assert.equal(await verifyDepositToken(token, recipient, friend, now), now + 60_000)
    await assert.rejects(verifyDepositToken(token, recipient, other, now), /another depositor/)
    await assert.rejects(verifyDepositToken(token, other, friend, now), /not signed by the recipient/)
    await assert.rejects(verifyDepositToken(token, recipient, friend, now + 60_000), /expired/)
    const forever = await signDepositToken(recipientKey, friend, now + 10 * 365 * 86_400_000)
    await assert.rejects(verifyDepositToken(forever, recipient, friend, now), /implausibly far/)

    // the friend signs a token for itself naming the recipient: the key is not the recipient's
    const friendKey = await generateKeyPair('Ed25519')
    const payload = DepositToken.encode({ recipient: recipient.toMultihash().bytes, depositor: peerIdFromPrivateKey(friendKey).toMultihash().bytes, expiresAt: BigInt(now + 60_000) })
    const record: Record = { domain: 'presence-mesh-deposit-token', codec: fromString('/presence-mesh/deposit-token/1'), marshal: () => payload, equals: () => false }
    const forged = (await RecordEnvelope.seal(record, friendKey)).marshal()
    await assert.rejects(verifyDepositToken(forged, recipient, peerIdFromPrivateKey(friendKey), now), DepositTokenError)
  })

  it('refuse random or altered bytes with DepositTokenError, never anything else, and no alteration changes what they say', async () => {
    const recipientKey = await generateKeyPair('Ed25519')
    const recipient = peerIdFromPrivateKey(recipientKey)
    const friend = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const expiresAt = Date.now() + 60_000
    const token = await signDepositToken(recipientKey, friend, expiresAt)
    const mutated = fc.tuple(fc.nat({ max: token.byteLength - 1 }), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
      const copy = new Uint8Array(token)
      copy[at] ^= xor
      return copy
    })
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async bytes => {
      await assert.rejects(verifyDepositToken(bytes, recipient, friend), DepositTokenError)
    }), { numRuns: 200 })
    // a flipped byte outside the signed content (the envelope's own framing) may leave a token that
    // still verifies: then it says exactly what the recipient signed, and nothing else ever verifies
    await fc.assert(fc.asyncProperty(mutated, async bytes => {
      const outcome = await verifyDepositToken(bytes, recipient, friend).then(expiresAt => expiresAt, (err: Error) => err)
      if (outcome instanceof Error) assert.ok(outcome instanceof DepositTokenError, outcome.message)
      else assert.equal(outcome, expiresAt)
    }), { numRuns: 300 })
  })
})
