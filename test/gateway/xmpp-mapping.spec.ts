import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { bareJid, fromXmppPresence, meshJid, toXmppPresence } from '../../src/gateway/xmpp-mapping.js'
import { sampleRecord } from '../presence/helpers.js'
import { AVAILABILITIES } from '../../src/presence/record.js'

describe('XMPP presence mapping (RFC 3922, RFC 4480)', () => {
  it('maps each availability to <show/> and back to the same meaning', async () => {
    const record = sampleRecord(peerIdFromPrivateKey(await generateKeyPair('Ed25519')))
    const shows: Record<string, string | undefined> = { available: undefined, busy: 'dnd', 'do-not-disturb': 'dnd', away: 'xa', idle: 'away', unknown: undefined }
    for (const availability of AVAILABILITIES) {
      const xmpp = toXmppPresence({ ...record, basic: 'open', availability }, record.issuedAt)
      assert.equal(xmpp.available, true)
      assert.equal(xmpp.show, shows[availability], availability)
      const back = fromXmppPresence(undefined, xmpp.show, xmpp.status, xmpp.lang).availability
      const expected: Record<string, string> = { 'do-not-disturb': 'busy', unknown: 'available' }
      assert.equal(back, expected[availability] ?? availability, availability)
    }
    assert.equal(toXmppPresence({ ...record, basic: 'closed' }, record.issuedAt).available, false)
    assert.equal(toXmppPresence({ ...record, expiresAt: record.issuedAt + 1 }, record.issuedAt + 2).available, false, 'an expired record is closed')
    assert.equal(toXmppPresence(undefined).available, false, 'nothing known, or refused')
  })

  it('reads any <presence/> an XMPP peer sends as a valid state, never throwing', () => {
    fc.assert(fc.property(fc.option(fc.constantFrom('unavailable', 'probe', 'subscribe', 'x')), fc.option(fc.oneof(fc.constantFrom('away', 'chat', 'dnd', 'xa'), fc.string())), fc.option(fc.string({ maxLength: 3000 })), fc.option(fc.string()), (type, show, status, lang) => {
      const mesh = fromXmppPresence(type ?? undefined, show ?? undefined, status ?? undefined, lang ?? undefined)
      assert.ok(AVAILABILITIES.includes(mesh.availability))
      assert.equal(mesh.basic, type === 'unavailable' ? 'closed' : 'open')
      assert.ok(mesh.note == null || (mesh.note.text.length > 0 && Array.from(mesh.note.text).length <= 1024))
      assert.ok(mesh.note?.lang == null || /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(mesh.note.lang))
    }), { numRuns: 500 })
  })

  it('gives mesh users case-folded JIDs, as servers fold local parts', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    assert.equal(meshJid(peer, 'Mesh.Example.org'), `${peer.toLowerCase()}@mesh.example.org`)
    assert.equal(bareJid('Alice@Example.org/Phone'), 'alice@example.org')
  })
})
