/**
 * Envelopes signed and checked with node's crypto and cached key objects
 * must be libp2p's envelopes, byte for byte, and get the verdict
 * @libp2p/crypto gives: valid signatures accepted, every tampered one
 * refused, whether or not the untampered statement was checked (and
 * remembered) before.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { RecordEnvelope } from '@libp2p/peer-record'
import fc from 'fast-check'
import { equals } from 'uint8arrays/equals'
import { EnvelopeSigner, validEnvelope } from '../../src/utils/signed-envelopes.js'
import type { PrivateKey, Record } from '@libp2p/interface'

/** The same statement sealed by @libp2p/peer-record with @libp2p/crypto's signing */
async function libp2pSeal (key: PrivateKey, domain: string, codec: Uint8Array, payload: Uint8Array): Promise<Uint8Array> {
  const record: Record = { domain, codec, marshal: () => payload, equals: other => equals(payload, other.marshal()) }
  return (await RecordEnvelope.seal(record, key)).marshal()
}

/** What an attacker may change in an envelope: a byte of the signature, the payload or the key, or the domain checked */
const tampering = fc.oneof(
  fc.record({ part: fc.constant('signature' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ part: fc.constant('payload' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ part: fc.constant('domain' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 127 }) }),
  fc.record({ part: fc.constant('key' as const), at: fc.constant(0), mask: fc.constant(0) })
)

describe('signed envelopes with node\'s crypto', function () {
  this.timeout(60_000)
  let keys: PrivateKey[]
  before(async () => {
    keys = await Promise.all([generateKeyPair('Ed25519'), generateKeyPair('Ed25519'), generateKeyPair('secp256k1')])
  })

  it('seals the bytes libp2p seals, and both sides accept each other\'s signatures (property)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.nat(keys.length - 1), fc.string({ minLength: 1, maxLength: 40 }), fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.uint8Array({ maxLength: 300 }),
      async (k, domain, codec, payload) => {
        const key = keys[k]
        const ours = await EnvelopeSigner.of(key).seal(domain, codec, payload)
        const theirs = await libp2pSeal(key, domain, codec, payload)
        // Ed25519 signatures are deterministic; secp256k1 ones are too (RFC 6979), through the same library
        assert.ok(equals(ours, theirs), 'the same envelope bytes')
        assert.equal(await validEnvelope(RecordEnvelope.createFromProtobuf(theirs), domain), true)
        assert.equal(await RecordEnvelope.createFromProtobuf(ours).validate(domain), true)
      }
    ), { numRuns: 60 })
  })

  it('gives a tampered envelope the verdict @libp2p/crypto gives, after the genuine one was accepted (property)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.nat(keys.length - 1), fc.string({ minLength: 1, maxLength: 40 }), fc.uint8Array({ minLength: 1, maxLength: 200 }), tampering,
      async (k, domain, payload, change) => {
        const key = keys[k]
        const codec = Uint8Array.from([1, 2, 3])
        const genuine = RecordEnvelope.createFromProtobuf(await EnvelopeSigner.of(key).seal(domain, codec, payload))
        // checked first, so that the genuine statement is remembered as valid
        assert.equal(await validEnvelope(genuine, domain), true)
        let checkedDomain = domain
        let envelope = genuine
        if (change.part === 'domain') {
          const at = change.at % domain.length
          checkedDomain = domain.slice(0, at) + String.fromCharCode(domain.charCodeAt(at) ^ change.mask) + domain.slice(at + 1)
        } else if (change.part === 'key') {
          // another key's public key over the same signature
          envelope = new RecordEnvelope({ ...genuine, publicKey: keys[(k + 1) % keys.length].publicKey })
        } else {
          const bytes = new Uint8Array(genuine[change.part])
          bytes[change.at % bytes.length] ^= change.mask
          envelope = new RecordEnvelope({ ...genuine, [change.part]: bytes })
        }
        const expected = await envelope.validate(checkedDomain).catch(() => false)
        assert.equal(expected, false, 'libp2p refuses the tampered envelope')
        assert.equal(await validEnvelope(envelope, checkedDomain), expected)
      }
    ), { numRuns: 300 })
  })

  it('refuses a malformed signature without throwing', async () => {
    const key = keys[0]
    const genuine = RecordEnvelope.createFromProtobuf(await EnvelopeSigner.of(key).seal('d', Uint8Array.from([1]), Uint8Array.from([2])))
    for (const signature of [new Uint8Array(0), new Uint8Array(63), new Uint8Array(65), genuine.signature.subarray(1)]) {
      assert.equal(await validEnvelope(new RecordEnvelope({ ...genuine, signature }), 'd'), false)
    }
  })

  it('makes one signer per key object', async () => {
    assert.equal(EnvelopeSigner.of(keys[0]), EnvelopeSigner.of(keys[0]))
    assert.notEqual(EnvelopeSigner.of(keys[0]), EnvelopeSigner.of(keys[1]))
  })
})
