import assert from 'node:assert/strict'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import fc from 'fast-check'
import { concat as uint8ArrayConcat } from 'uint8arrays/concat'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { MAX_RECORD_SIZE, PRESENCE_DOMAIN, PRESENCE_PAYLOAD_TYPE } from '../../src/presence/constants.js'
import { Contact } from '../../src/presence/pb/presence.js'
import { effectiveStatus, marshalPresence, openPresence, sealPresence, unmarshalPresence } from '../../src/presence/record.js'
import { PROTONS_BAD_UINT64 } from '../helpers/protons.js'
import { allPresentities, comparable, extensionArb, makeKeys, PRESENCE_ERRORS, recordArb, sampleRecord } from './helpers.js'
import type { PresenceRecord } from '../../src/presence/record.js'
import type { PrivateKey } from '@libp2p/interface'

/** Sign arbitrary payload bytes the way sealPresence would, bypassing its checks */
async function sealRaw (key: PrivateKey, payload: Uint8Array, domain = PRESENCE_DOMAIN, codec = PRESENCE_PAYLOAD_TYPE): Promise<Uint8Array> {
  const record = { domain, codec, marshal: () => payload, equals: () => false }
  return (await RecordEnvelope.seal(record, key)).marshal()
}

/** Asserts the promise rejects with an error of the given name, or any of ours */
async function rejectsWith (promise: Promise<unknown>, name?: string): Promise<void> {
  await assert.rejects(promise, (err: Error) => {
    assert.ok(name == null ? PRESENCE_ERRORS.has(err.name) : err.name === name, `unexpected ${err.name}: ${err.message}`)
    return true
  })
}

function expectOnlyOurErrors (fn: () => unknown): void {
  try {
    fn()
  } catch (err) {
    assert.ok(PRESENCE_ERRORS.has((err as Error).name), `unexpected ${(err as Error).name}: ${(err as Error).message}`)
  }
}

describe('presence record', function () {
  this.timeout(60_000)
  let keys: PrivateKey[]
  let alice: PrivateKey
  let mallory: PrivateKey
  let record: PresenceRecord
  let now: number

  before(async () => {
    keys = await makeKeys()
    alice = keys[0]
    mallory = keys[1]
    record = sampleRecord(peerIdFromPrivateKey(alice))
    now = record.issuedAt + 1000
  })

  it('round-trips through marshal and unmarshal', () => {
    assert.deepStrictEqual(comparable(unmarshalPresence(marshalPresence(record))), comparable(record))
  })

  it('round-trips through seal and open, naming the signer', async () => {
    const opened = await openPresence(await sealPresence(alice, record), { now })
    assert.deepStrictEqual(comparable(opened.record), comparable(record))
    assert.ok(opened.signer.equals(record.presentity))
  })

  it('refuses to seal with a key that is not the presentity\'s', async () => {
    await rejectsWith(sealPresence(mallory, record), 'UnauthorizedSignerError')
  })

  it('rejects a record signed by another key', async () => {
    await rejectsWith(openPresence(await sealRaw(mallory, marshalPresence(record)), { now }), 'UnauthorizedSignerError')
  })

  it('rejects a forged signature under the presentity\'s key', async () => {
    const genuine = RecordEnvelope.createFromProtobuf(await sealPresence(alice, record))
    const forged = RecordEnvelope.createFromProtobuf(await sealRaw(mallory, genuine.payload))
    const envelope = new RecordEnvelope({ ...genuine, signature: forged.signature })
    await rejectsWith(openPresence(envelope.marshal(), { now }), 'InvalidSignatureError')
  })

  it('rejects a tampered byte anywhere in the envelope', async () => {
    const sealed = await sealPresence(alice, record)
    for (let i = 0; i < sealed.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const tampered = sealed.slice()
        tampered[i] ^= mask
        await rejectsWith(openPresence(tampered, { now }))
      }
    }
    await rejectsWith(openPresence(sealed.subarray(0, sealed.length - 1), { now }))
    await rejectsWith(openPresence(uint8ArrayConcat([sealed, Uint8Array.from([0x38, 0x01])]), { now }), 'InvalidPresenceRecordError')
  })

  it('rejects another signature domain', async () => {
    const sealed = await sealRaw(alice, marshalPresence(record), 'libp2p-peer-record')
    await rejectsWith(openPresence(sealed, { now }), 'InvalidSignatureError')
  })

  it('rejects another payload type', async () => {
    const sealed = await sealRaw(alice, marshalPresence(record), PRESENCE_DOMAIN, Uint8Array.from([0x03, 0x01]))
    await rejectsWith(openPresence(sealed, { now }), 'InvalidPresenceRecordError')
  })

  it('rejects an expired record unless asked not to', async () => {
    const sealed = await sealPresence(alice, record)
    await rejectsWith(openPresence(sealed, { now: record.expiresAt }), 'ExpiredRecordError')
    const opened = await openPresence(sealed, { now: record.expiresAt + 1, allowExpired: true })
    assert.equal(opened.record.seq, record.seq)
  })

  it('reports expired and closed records as closed with their last update time', () => {
    assert.deepStrictEqual(effectiveStatus(record, now), { basic: 'open', availability: 'busy' })
    assert.deepStrictEqual(effectiveStatus(record, record.expiresAt), { basic: 'closed', lastSeen: record.issuedAt, expired: true })
    assert.deepStrictEqual(effectiveStatus({ ...record, basic: 'closed' }, now), { basic: 'closed', lastSeen: record.issuedAt, expired: false })
  })

  it('rejects oversized records', async () => {
    const big = { ...record, note: { text: 'x'.repeat(MAX_RECORD_SIZE) } }
    await rejectsWith(sealPresence(alice, big), 'PresenceRecordTooLargeError')
    await rejectsWith(openPresence(await sealRaw(alice, marshalPresence(big)), { now }), 'PresenceRecordTooLargeError')
    assert.throws(() => unmarshalPresence(new Uint8Array(MAX_RECORD_SIZE + 1)), { name: 'PresenceRecordTooLargeError' })
  })

  it('rejects records that break the format\'s rules', () => {
    const invalid: Array<Partial<PresenceRecord>> = [
      { note: { text: 'bell \u0007' } },
      { note: { text: 'lone \ud800 surrogate' } },
      { note: { text: 'hi', lang: 'not a tag' } },
      { contact: { emails: ['no-at-sign'], phones: [] } },
      { contact: { emails: [], phones: ['call me'] } },
      { contact: { emails: [], phones: [], web: 'javascript:alert(1)' } },
      { contact: { emails: [], phones: [], postal: '' } },
      { expiresAt: record.issuedAt },
      { issuedAt: 1.5 },
      { seq: -1n },
      { extensions: [{ ns: 'urn:a', name: 'b', value: '' }, { ns: 'urn:a', name: 'b', value: 'again' }] },
      { extensions: [{ ns: 'urn:ietf:params:xml:ns:pidf:rpid', name: 'mood', value: '' }] },
      { extensions: [{ ns: 'not a uri', name: 'b', value: '' }] },
      { extensions: [{ ns: 'urn:a', name: '1b', value: '' }] }
    ]
    for (const change of invalid) {
      assert.throws(() => marshalPresence({ ...record, ...change }), { name: 'InvalidPresenceRecordError' }, JSON.stringify(change, (_, v) => typeof v === 'bigint' ? `${v}n` : v))
    }
  })

  it('is written wrongly by protons-runtime for a time in [2^31, 2^32): still the library\'s bug (see test/helpers/protons.ts)', () => {
    // when this fails the bug is fixed: drop goodUint64 and goodTime (test/helpers/protons.ts)
    assert.throws(() => unmarshalPresence(marshalPresence({ ...record, issuedAt: 0, expiresAt: Number(PROTONS_BAD_UINT64.min) })), { name: 'InvalidPresenceRecordError' })
  })

  it('reads an availability value it does not know as unknown', () => {
    const payload = uint8ArrayConcat([marshalPresence(record), Uint8Array.from([0x18, 0x2a])])
    assert.equal(unmarshalPresence(payload).availability, 'unknown')
  })

  it('accepts and passes on unknown protobuf fields from newer writers', async () => {
    // Top level: field 99 (varint) and field 100 (bytes); inside Contact: field 9
    const contact = uint8ArrayConcat([Contact.encode(record.contact), Uint8Array.from([0x48, 0x01])])
    const payload = uint8ArrayConcat([
      marshalPresence({ ...record, contact: { emails: [], phones: [] } }),
      Uint8Array.from([0x98, 0x06, 0x05, 0xa2, 0x06, 0x02, 0x68, 0x69, 0x2a, contact.length]),
      contact
    ])
    const sealed = await sealRaw(alice, payload)
    const opened = await openPresence(sealed, { now })
    assert.deepStrictEqual(comparable(opened.record), comparable(record))
    // The envelope is what travels: as received, it still verifies anywhere
    await openPresence(sealed.slice(), { now })
  })

  it('keeps extensions of any namespace through seal and open', async () => {
    await fc.assert(fc.asyncProperty(fc.uniqueArray(extensionArb, { maxLength: 4, selector: e => `${e.ns} ${e.name}` }), async (extensions) => {
      const opened = await openPresence(await sealPresence(alice, { ...record, extensions }), { now })
      assert.deepStrictEqual(comparable(opened.record), comparable({ ...record, extensions }))
    }), { numRuns: 50 })
  })

  it('round-trips any valid record through marshal and unmarshal', () => {
    fc.assert(fc.property(recordArb(allPresentities(keys)), (arbitrary) => {
      assert.deepStrictEqual(comparable(unmarshalPresence(marshalPresence(arbitrary))), comparable(arbitrary))
    }), { numRuns: 300 })
  })

  it('round-trips any valid record through seal and open', async () => {
    const signers = new Map(keys.map(key => [peerIdFromPrivateKey(key).toString(), key]))
    await fc.assert(fc.asyncProperty(recordArb(allPresentities(keys).filter(id => signers.has(id.toString()))), async (arbitrary) => {
      const opened = await openPresence(await sealPresence(signers.get(arbitrary.presentity.toString())!, arbitrary), { allowExpired: true })
      assert.deepStrictEqual(comparable(opened.record), comparable(arbitrary))
    }), { numRuns: 100 })
  })

  it('throws only its named errors for arbitrary payload bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      expectOnlyOurErrors(() => unmarshalPresence(bytes))
    }), { numRuns: 2000 })
  })

  it('throws only its named errors for mutated payloads', () => {
    const payload = marshalPresence(record)
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(payload.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
      const mutated = payload.slice()
      for (const [at, value] of edits) mutated[at] = value
      expectOnlyOurErrors(() => unmarshalPresence(mutated))
    }), { numRuns: 2000 })
  })

  it('throws only its named errors for arbitrary envelope bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
      await openPresence(bytes, { now }).catch((err: Error) => {
        assert.ok(PRESENCE_ERRORS.has(err.name), `unexpected ${err.name}: ${err.message}`)
      })
    }), { numRuns: 1000 })
  })

  it('throws only its named errors for validly signed arbitrary payloads', async () => {
    // Signed junk gets past the envelope checks and into the record decoder
    const junk = fc.oneof(fc.uint8Array({ maxLength: 256 }), fc.constant(marshalPresence(record)).chain(valid =>
      fc.tuple(fc.nat(valid.length - 1), fc.uint8Array({ minLength: 1, maxLength: 3 })).map(([at, bytes]) =>
        uint8ArrayConcat([valid.subarray(0, at), bytes, valid.subarray(at + bytes.length)]))))
    await fc.assert(fc.asyncProperty(junk, async (payload) => {
      await openPresence(await sealRaw(alice, payload), { now }).catch((err: Error) => {
        assert.ok(PRESENCE_ERRORS.has(err.name), `unexpected ${err.name}: ${err.message}`)
      })
    }), { numRuns: 300 })
  })

  it('uses its own domain and payload type', () => {
    assert.equal(PRESENCE_DOMAIN, 'presence-mesh-presence')
    assert.deepStrictEqual(PRESENCE_PAYLOAD_TYPE, uint8ArrayFromString('/presence-mesh/presence/1'))
  })
})
