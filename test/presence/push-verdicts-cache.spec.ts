/**
 * The push validator remembers how envelope bytes opened, so a copy it has
 * judged before (a replay, two holders pushing one will) costs a hash
 * instead of a signature check. The cache must never change a verdict: the
 * checks that depend on who we watch, the clock and what was seen since run
 * on every copy.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { sealPresence } from '../../src/presence/record.js'
import { MAX_JUDGED, PresenceValidation } from '../../src/presence/push-verdicts.js'
import { sampleRecord } from './helpers.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

async function signed (key: PrivateKey, presentity: PeerId, seq: bigint, expiresAt = Date.now() + 3_600_000): Promise<Uint8Array> {
  return sealPresence(key, { ...sampleRecord(presentity, Date.now() - 1_000), seq, expiresAt })
}

describe('push validation: judged envelopes are not verified again', function () {
  this.timeout(30_000)
  let key: PrivateKey
  let presentity: PeerId
  /** We watch the presentity */
  let watched: (peer: PeerId) => boolean
  before(async () => {
    key = await generateKeyPair('Ed25519')
    presentity = peerIdFromPrivateKey(key)
    watched = peer => peer.equals(presentity)
  })

  it('answers a copy it judged from the cache, with the verdict a full check gives', async () => {
    const validation = new PresenceValidation()
    const newer = await signed(key, presentity, 20n)
    const older = await signed(key, presentity, 10n)
    assert.equal((await validation.judge(newer, watched)).verdict, 'accept')
    assert.equal((await validation.judge(older, watched)).reason, 'stale-sequence')
    assert.equal(validation.cacheHits, 0)
    // the very bytes held as newest are a duplicate before the cache is asked
    assert.equal((await validation.judge(newer, watched)).reason, 'duplicate')
    assert.equal(validation.cacheHits, 0)
    assert.equal((await validation.judge(older, watched)).reason, 'stale-sequence')
    assert.equal(validation.cacheHits, 1)
  })

  it('takes a tampered copy of the newest record for what it is, not for a duplicate', async () => {
    const validation = new PresenceValidation()
    const bytes = await signed(key, presentity, 60n)
    assert.equal((await validation.judge(bytes, watched)).verdict, 'accept')
    const tampered = new Uint8Array(bytes)
    tampered[tampered.length - 1] ^= 1
    const judged = await validation.judge(tampered, watched)
    assert.deepEqual([judged.verdict, judged.reason], ['reject', 'InvalidSignatureError'])
  })

  it('still checks who we watch and the clock for a copy it knows', async () => {
    const validation = new PresenceValidation()
    const bytes = await signed(key, presentity, 30n)
    // not watched: dropped before its signature is checked, nothing cached
    assert.equal((await validation.judge(bytes, () => false)).reason, 'not-watched')
    assert.equal((await validation.judge(bytes, watched)).verdict, 'accept')
    assert.equal((await validation.judge(bytes, () => false)).reason, 'not-watched')
    assert.equal(validation.cacheHits, 0)
    const soon = await signed(key, presentity, 40n, Date.now() + 300)
    await validation.judge(soon, () => true)
    await new Promise(resolve => setTimeout(resolve, 400))
    assert.equal((await validation.judge(soon, watched)).reason, 'expired')
    assert.equal(validation.cacheHits, 1)
  })

  it('decodes the peer id and addresses of a presentity once across its records, and those of another apart', async () => {
    const validation = new PresenceValidation()
    const other = await generateKeyPair('Ed25519')
    const otherId = peerIdFromPrivateKey(other)
    const first = await validation.judge(await signed(key, presentity, 30n), watched)
    const second = await validation.judge(await signed(key, presentity, 31n), watched)
    assert.equal(first.verdict, 'accept')
    assert.equal(second.verdict, 'accept')
    // the same objects: the PeerId's string form (the key of every map a notify passes) and the addresses are made once
    assert.equal(second.record?.presentity, first.record?.presentity)
    assert.ok(second.record?.presentity.equals(presentity))
    assert.equal(second.record?.addresses.length, 2)
    second.record?.addresses.forEach((address, i) => { assert.equal(address, first.record?.addresses[i]) })
    assert.deepEqual(second.record?.addresses.map(a => a.toString()), sampleRecord(presentity).addresses.map(a => a.toString()))
    // a record of a presentity we do not watch is decoded and forgotten: strangers cannot fill what a node keeps
    const kept = validation.decoded.size
    assert.equal((await validation.judge(await signed(other, otherId, 1n), watched)).reason, 'not-watched')
    assert.equal(validation.decoded.size, kept)
    const another = await validation.judge(await signed(other, otherId, 1n), () => true)
    assert.equal(another.verdict, 'accept')
    assert.ok(another.record?.presentity.equals(otherId))
    assert.ok(!(another.record?.presentity.equals(presentity) ?? true))
  })

  it('holds a bounded number of judgements, dropping the least recently used', async () => {
    const validation = new PresenceValidation()
    const first = await signed(key, presentity, 1n)
    await validation.judge(first, watched)
    // junk is judged (rejected) and cached too: fill the cache past its bound
    for (let i = 0; i < MAX_JUDGED; i++) await validation.judge(Uint8Array.from([i & 0xff, i >> 8, 1, 2, 3]), watched)
    const hits = validation.cacheHits
    assert.equal((await validation.judge(first, watched)).reason, 'duplicate')
    assert.equal(validation.cacheHits, hits, 'the oldest judgement was dropped, so the copy was verified again')
  })

  it('gives any bytes, seen once or again, the verdict a validator without the cache gives (property)', async () => {
    const base = await signed(key, presentity, 50n)
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 1, max: 255 })), { maxLength: 3 }),
      fc.boolean(),
      async (flips, watching) => {
        const bytes = new Uint8Array(base)
        for (const [at, mask] of flips) bytes[at] ^= mask
        const where = watching ? () => true : () => false
        const cached = new PresenceValidation()
        const first = await cached.judge(bytes, where)
        const again = await cached.judge(bytes, where)
        // a fresh validator that has only been told of the first verdict's record
        const fresh = new PresenceValidation()
        if (first.record != null) fresh.remember(first.record.presentity, first.record.seq, bytes)
        const expected = await fresh.judge(bytes, where)
        // bytes that still decode and name no one we watch are dropped unopened, and a copy of
        // the record just accepted is a duplicate before the cache is asked
        assert.ok(cached.cacheHits === 1 || first.reason === 'not-watched' || first.verdict === 'accept')
        assert.deepEqual([again.verdict, again.reason], [expected.verdict, expected.reason])
      }
    ), { numRuns: 200 })
  })
})
