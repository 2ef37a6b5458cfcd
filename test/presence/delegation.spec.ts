/**
 * Delegation (RFC 2779 §2.3.4): records signed by a key the presentity
 * delegated to are accepted by every reader; any other signer, a delegation
 * to someone else, one signed by someone else, or one that had ended is
 * refused — with UnauthorizedSignerError, whatever the bytes.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { signDelegation } from '../../src/presence/delegation.js'
import { openPresence, sealPresence } from '../../src/presence/record.js'
import { Delegation as PBDelegation } from '../../src/presence/pb/presence.js'
import { RecordEnvelope } from '@libp2p/peer-record'
import { DELEGATION_DOMAIN, DELEGATION_PAYLOAD_TYPE } from '../../src/presence/delegation.js'
import { PRESENCE_ERRORS, sampleRecord } from './helpers.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

const DAY = 24 * 60 * 60_000

describe('presence delegation', function () {
  this.timeout(30_000)
  let owner: PrivateKey
  let phone: PrivateKey
  let stranger: PrivateKey
  let p: PeerId
  let d: PeerId
  before(async () => {
    [owner, phone, stranger] = await Promise.all([generateKeyPair('Ed25519'), generateKeyPair('Ed25519'), generateKeyPair('Ed25519')])
    p = peerIdFromPrivateKey(owner)
    d = peerIdFromPrivateKey(phone)
  })
  const now = (): number => Date.now()
  const record = (delegation?: Uint8Array, issuedAt = now()): ReturnType<typeof sampleRecord> => ({ ...sampleRecord(p, issuedAt), delegation })

  it('accepts a record signed by the delegate, carrying its delegation', async () => {
    const delegation = await signDelegation(owner, d, now() + DAY)
    const opened = await openPresence(await sealPresence(phone, record(delegation)))
    assert.ok(opened.signer.equals(d))
    assert.ok(opened.record.presentity.equals(p))
  })

  it('refuses a delegate without its delegation, and a stranger with the delegate\'s', async () => {
    await assert.rejects(sealPresence(phone, record()), { name: 'UnauthorizedSignerError' })
    const delegation = await signDelegation(owner, d, now() + DAY)
    await assert.rejects(sealPresence(stranger, record(delegation)), { name: 'UnauthorizedSignerError' })
  })

  it('refuses a record issued after the delegation ended', async () => {
    const end = now() + 60_000
    const delegation = await signDelegation(owner, d, end)
    await assert.rejects(sealPresence(phone, record(delegation, end)), { name: 'UnauthorizedSignerError' })
  })

  it('refuses a delegation signed by anyone but the presentity', async () => {
    const payload = PBDelegation.encode({ presentity: p.toMultihash().bytes, delegate: d.toMultihash().bytes, expiresAt: BigInt(now() + DAY) })
    const forged = (await RecordEnvelope.seal({
      domain: DELEGATION_DOMAIN,
      codec: DELEGATION_PAYLOAD_TYPE,
      marshal: () => payload,
      equals: () => false
    }, stranger)).marshal()
    await assert.rejects(sealPresence(phone, record(forged)), { name: 'UnauthorizedSignerError' })
  })

  it('refuses a delegation in the presentity\'s own record, and signs none longer than a year', async () => {
    const delegation = await signDelegation(owner, d, now() + DAY)
    await assert.rejects(sealPresence(owner, record(delegation)), { name: 'UnauthorizedSignerError' })
    await assert.rejects(signDelegation(owner, d, now() + 400 * DAY), { name: 'UnauthorizedSignerError' })
  })

  it('throws only its named errors for arbitrary delegation bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async bytes => {
      try {
        await sealPresence(phone, record(bytes))
        assert.fail('accepted arbitrary bytes as a delegation')
      } catch (err: any) {
        assert.ok(PRESENCE_ERRORS.has(err.name), `unexpected ${String(err.name)}: ${String(err.message)}`)
      }
    }), { numRuns: 100 })
  })
})
