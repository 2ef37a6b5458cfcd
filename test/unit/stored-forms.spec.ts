/**
 * Every stored form (a protons message decoded, then checked): arbitrary
 * bytes read as a value or an InvalidStoredValueError, never another throw
 * (the set-aside policy needs a clean failure, and nothing may crash a
 * start), and every value the stores write reads back the same.
 */
import assert from 'node:assert/strict'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { Key } from 'interface-datastore'
import { fromString } from 'uint8arrays'
import { CONTACT_FORM, INVITE_FORM, PROFILE_FORM, type ContactEntry, type IssuedInvite } from '../../src/contacts/store.js'
import { IDENTITY_FORM } from '../../src/gateway/xmpp-identities.js'
import { INBOX_MODES, INBOX_POLICY_FORM, type InboxPolicy } from '../../src/messaging/inbox-policy.js'
import { MESSAGE_FORM, SEEN_FORM, USAGE_FORM, type MessageMeta } from '../../src/messaging/stored-message.js'
import type { Outcome } from '../../src/messaging/store.js'
import { KEYRING_FORM, type Entry } from '../../src/presence/access/keyring.js'
import { POLICY_FORM } from '../../src/presence/access/policy-form.js'
import { VIEW_KEYS_FORM } from '../../src/presence/access/view-keys.js'
import { VIEW_NAMES } from '../../src/presence/access/view-names.js'
import { BLOCKED_VIEW, VIEW_KEY_BYTES, VIEW_KEY_ID_BYTES, type SealedViewName, type ViewKey } from '../../src/presence/access/views.js'
import { SUBSCRIPTION_FORM, type StoredEntry } from '../../src/presence/subscription-store.js'
import { WATCHER_FORM } from '../../src/presence/watchers.js'
import { InvalidStoredValueError, type StoredForm } from '../../src/utils/stored-values.js'
import type { AccessPolicy, Rule } from '../../src/presence/access/policy.js'
import type { PeerId } from '@libp2p/interface'

const RUNS = 300
/** Objects as the stores build them: with a prototype */
const plain = { noNullPrototype: true }
const time = fc.integer({ min: 0, max: 2 ** 45 })
const text = fc.string({ maxLength: 40 })
const id = fc.string({ minLength: 1, maxLength: 40 })
const viewKey: fc.Arbitrary<ViewKey> = fc.record({ keyId: fc.uint8Array({ minLength: VIEW_KEY_ID_BYTES, maxLength: VIEW_KEY_ID_BYTES }), key: fc.uint8Array({ minLength: VIEW_KEY_BYTES, maxLength: VIEW_KEY_BYTES }) }, plain)
/** A peer id's characters (the policy's tables are keyed by them) */
const peerText = fc.stringMatching(/^[1-9A-Za-z]{1,52}$/)
const option = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined })

/** Arbitrary bytes, and bytes that look like the older JSON (first byte '{') */
const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.jsonValue().map(json => fromString(JSON.stringify(json))), fc.uint8Array({ maxLength: 60 }).map(tail => Uint8Array.from([0x7b, ...tail])))

function neverCrashes<T> (form: StoredForm<T>, key: Key): void {
  fc.assert(fc.property(anyBytes, bytes => {
    try {
      form.decode(bytes, key)
    } catch (err) {
      assert.ok(err instanceof InvalidStoredValueError, `${String(err)} for ${Buffer.from(bytes).toString('hex')}`)
    }
  }), { numRuns: RUNS })
}

function roundTrips<T> (form: StoredForm<T>, key: Key, values: fc.Arbitrary<T>): void {
  fc.assert(fc.property(values, value => {
    const bytes = form.encode(value)
    assert.equal(form.isOld(bytes), false, 'the current form is never taken for the older one')
    assert.deepEqual(form.decode(bytes, key), value)
  }), { numRuns: RUNS })
}

/** Drops the keys whose value is undefined: a stored optional field reads back absent */
function defined<T extends object> (value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

describe('stored forms', () => {
  let peer: PeerId
  let peerKey: Key
  let privateKeys: Uint8Array[]

  before(async () => {
    const keys = await Promise.all([generateKeyPair('Ed25519'), generateKeyPair('secp256k1')])
    peer = peerIdFromPrivateKey(keys[0])
    peerKey = new Key(`/stored/${peer.toString()}`)
    privateKeys = keys.map(key => privateKeyToProtobuf(key))
  })

  it('a subscription', () => {
    neverCrashes(SUBSCRIPTION_FORM, peerKey)
    roundTrips(SUBSCRIPTION_FORM, peerKey, fc.record({ transactionId: id, until: time, grantedUntil: time, createdAt: time, awaiting: fc.boolean(), lastSeq: option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })) }, plain)
      .map(({ awaiting, lastSeq, ...fields }): StoredEntry => ({ subscription: { target: peer, ...fields, ...(awaiting ? { awaitingApproval: true } : {}) }, lastSeq })))
  })

  it('a watcher', () => {
    neverCrashes(WATCHER_FORM, peerKey)
    roundTrips(WATCHER_FORM, peerKey, fc.record({ transactionId: id, since: time, expiresAt: time }, plain).map(fields => ({ peerId: peer, ...fields })))
  })

  it('the access policy', () => {
    neverCrashes(POLICY_FORM, peerKey)
    const rule: fc.Arbitrary<Rule> = fc.oneof(fc.constantFrom(...VIEW_NAMES).map(view => ({ rule: 'allow' as const, view })), fc.constant({ rule: 'deny' as const }), fc.constant({ rule: 'block' as const }))
    roundTrips(POLICY_FORM, peerKey, fc.record({
      default: fc.constantFrom('public', 'ask', 'deny') as fc.Arbitrary<AccessPolicy['default']>,
      rules: fc.dictionary(peerText, rule, plain),
      pending: fc.dictionary(peerText, fc.record({ transactionId: id, since: time }, plain), plain)
    }, plain).map(policy => ({ ...policy, rules: { ...policy.rules }, pending: { ...policy.pending } })))
  })

  it('an empty or default-less policy is unreadable, never "public"', () => {
    assert.throws(() => POLICY_FORM.decode(new Uint8Array(), peerKey), InvalidStoredValueError)
    assert.throws(() => POLICY_FORM.decode(fromString('{"rules":{},"pending":{}}'), peerKey), InvalidStoredValueError)
  })

  it('the view keys', () => {
    neverCrashes(VIEW_KEYS_FORM, peerKey)
    roundTrips(VIEW_KEYS_FORM, peerKey, fc.dictionary(fc.constantFrom<SealedViewName>(...VIEW_NAMES, BLOCKED_VIEW), viewKey, plain).map(keys => new Map(Object.entries(keys)) as Map<SealedViewName, ViewKey>))
  })

  it('a keyring entry', () => {
    neverCrashes(KEYRING_FORM, peerKey)
    roundTrips(KEYRING_FORM, peerKey, fc.record({ refused: fc.boolean(), key: option(viewKey) }, plain).map(entry => defined<Entry>(entry)))
  })

  it('a contact, an invitation and the profile name', () => {
    for (const form of [CONTACT_FORM, INVITE_FORM, PROFILE_FORM] as Array<StoredForm<unknown>>) neverCrashes(form, peerKey)
    const presence = fc.record({ basic: fc.constantFrom('open' as const, 'closed' as const), availability: text, note: fc.option(text, { nil: null }), updated: time }, plain)
    roundTrips(CONTACT_FORM, peerKey, fc.record({ id, name: text, addedAt: time, readUntil: time, presence: option(presence), lastSeen: option(time), pendingInvite: option(text), refused: option(fc.constant(true)) }, plain)
      .map(entry => defined<ContactEntry>(entry)))
    roundTrips(INVITE_FORM, peerKey, fc.record({ secret: text, name: text, createdAt: time, expires: time, usedBy: option(text), usedAt: option(time) }, plain).map(invite => defined<IssuedInvite>(invite)))
    roundTrips(PROFILE_FORM, peerKey, text)
  })

  it('the inbox policy', () => {
    neverCrashes(INBOX_POLICY_FORM, peerKey)
    roundTrips(INBOX_POLICY_FORM, peerKey, fc.record({ mode: fc.constantFrom(...INBOX_MODES), allow: fc.uniqueArray(id), block: fc.uniqueArray(id), silent: fc.boolean() }, plain) as fc.Arbitrary<InboxPolicy>)
  })

  it('a message, and what a blocked sender would hold', () => {
    neverCrashes(MESSAGE_FORM, peerKey)
    neverCrashes(USAGE_FORM, peerKey)
    // the older framing (first byte 0) is read by hand: any bytes after its zero must fail cleanly too
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), tail => {
      try {
        MESSAGE_FORM.decode(Uint8Array.from([0, ...tail]), peerKey)
      } catch (err) {
        assert.ok(err instanceof InvalidStoredValueError, String(err))
      }
    }), { numRuns: RUNS })
    const outcome: fc.Arbitrary<Outcome> = fc.oneof(
      fc.record({ status: fc.constantFrom('delivered' as const, 'stored' as const), at: time }, plain),
      fc.record({ status: fc.constantFrom('failed' as const, 'queued' as const), reason: text, at: time }, plain))
    const meta = fc.record({ receivedAt: option(time), stranger: option(fc.constant(true)), createdAt: option(time), waiting: option(fc.constant(true)), outcome: option(outcome) }, plain)
    roundTrips(MESSAGE_FORM, peerKey, fc.record({ envelope: fc.uint8Array({ minLength: 1, maxLength: 200 }), meta: meta.map(m => defined<MessageMeta>(m)) }, plain))
    roundTrips(USAGE_FORM, peerKey, fc.record({ messages: time, bytes: time }, plain))
  })

  it('a seen-marker, and the decimal text older versions wrote', () => {
    neverCrashes(SEEN_FORM, peerKey)
    roundTrips(SEEN_FORM, peerKey, time)
    fc.assert(fc.property(time, date => { assert.equal(SEEN_FORM.decode(fromString(String(date)), peerKey), date) }), { numRuns: RUNS })
  })

  it("a gateway's XMPP identity", () => {
    neverCrashes(IDENTITY_FORM, peerKey)
    roundTrips(IDENTITY_FORM, peerKey, fc.record({ jid: id, key: fc.constantFrom(...privateKeys), lastActive: time }, plain))
  })
})
