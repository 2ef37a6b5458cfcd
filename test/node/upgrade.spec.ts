/**
 * A home written by the version before stored values became protons
 * messages (docs/design/017-stored-values.md): its JSON values, as that
 * version wrote them, open in a real node with everything the user had, and
 * are rewritten in the current form on that first start (messages when
 * first listed). An access policy that no longer reads falls back to
 * "ask", never to "public", also after a restart.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { fromString } from 'uint8arrays'
import { INVITE_FORM } from '../../src/contacts/store.js'
import { MAX_MESSAGE_AGE_MS } from '../../src/messaging/constants.js'
import { MessageStore } from '../../src/messaging/store.js'
import { MESSAGE_FORM, SEEN_FORM } from '../../src/messaging/stored-message.js'
import { KEYRING_FORM } from '../../src/presence/access/keyring.js'
import { VIEW_KEYS_FORM } from '../../src/presence/access/view-keys.js'
import { CORRUPT_PREFIX } from '../../src/utils/stored-values.js'
import { connect, nodesPerTest } from '../helpers/nodes.js'
import type { PeerId } from '@libp2p/interface'

const KEY_ID = 'AQIDBAUGBwg='
const KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='

async function stranger (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

async function all (datastore: MemoryDatastore, prefix: string): Promise<Array<{ key: string, value: Uint8Array }>> {
  const found = []
  for await (const { key, value } of datastore.query({ prefix })) found.push({ key: key.toString(), value })
  return found
}

describe('a home written by the JSON version', function () {
  this.timeout(60_000)
  const nodes = nodesPerTest()

  it('opens with every value it held, each rewritten in the current form', async () => {
    const [friend, watcher, watched, asking, contact] = await Promise.all([stranger(), stranger(), stranger(), stranger(), stranger()])
    const later = Date.now() + 3_600_000
    const datastore = new MemoryDatastore()
    const json = async (key: string, value: unknown): Promise<void> => { await datastore.put(new Key(key), fromString(JSON.stringify(value))) }
    await json('/presence-mesh/access/policy', { default: 'ask', rules: { [friend.toString()]: { rule: 'allow', view: 'basic' } }, pending: { [asking.toString()]: { transactionId: 'tx-asking', since: 5 } } })
    await json('/presence-mesh/access/view-keys', { basic: { keyId: KEY_ID, key: KEY } })
    await json(`/presence-mesh/access/keyring/${watched.toString()}`, { refused: false, keyId: KEY_ID, key: KEY })
    await json(`/presence-mesh/presence/watchers/${watcher.toString()}`, { transactionId: 'tx-watcher', since: 7, expiresAt: later })
    await json(`/presence-mesh/presence/subscriptions/${watched.toString()}`, { transactionId: 'tx-sub', until: later, grantedUntil: 0, createdAt: 9, lastSeq: '12' })
    // a contact of its own: the contact list renews its contacts' subscriptions on start
    await json(`/presence-mesh/contacts/list/${contact.toString()}`, { id: contact.toString(), name: 'Wanda', addedAt: 9, readUntil: 10, presence: { basic: 'open', availability: 'busy', note: null, updated: 11 } })
    await json('/presence-mesh/contacts/invites/c2VjcmV0', { secret: 'c2VjcmV0', name: 'for Frank', createdAt: 3, expires: 0 })
    await json('/presence-mesh/contacts/profile', { name: 'Olga' })
    await json('/presence-mesh/im/policy', { mode: 'contacts', allow: [friend.toString()], block: [], silent: false })

    const node = await nodes.start({ datastore })
    const presence = node.libp2p.services.presence
    assert.deepEqual(presence.policy(), {
      default: 'ask',
      rules: { [friend.toString()]: { rule: 'allow', view: 'basic' } },
      pending: { [asking.toString()]: { transactionId: 'tx-asking', since: 5 } }
    })
    assert.deepEqual(presence.watchers().map(w => [w.peerId.toString(), w.transactionId, w.since, w.expiresAt]), [[watcher.toString(), 'tx-watcher', 7, later]])
    const subscription = presence.subscriptions().find(s => s.target.equals(watched))
    assert.deepEqual([subscription?.target.toString(), subscription?.transactionId, subscription?.until], [watched.toString(), 'tx-sub', later])
    assert.deepEqual(node.libp2p.services.contacts.list().map(c => [c.name, c.presence?.availability]), [['Wanda', 'busy']])
    assert.equal(node.libp2p.services.contacts.name, 'Olga')
    assert.deepEqual(node.libp2p.services.im.policy(), { mode: 'contacts', allow: [friend.toString()], block: [], silent: false })

    // the keys read and kept their bytes: a watcher granted before the upgrade still opens our records
    const viewKeys = VIEW_KEYS_FORM.decode(await datastore.get(new Key('/presence-mesh/access/view-keys')), new Key('/k'))
    assert.deepEqual(viewKeys.get('basic'), { keyId: fromString(KEY_ID, 'base64'), key: fromString(KEY, 'base64') })
    const held = KEYRING_FORM.decode(await datastore.get(new Key(`/presence-mesh/access/keyring/${watched.toString()}`)), new Key('/k'))
    assert.deepEqual(held.key?.keyId, fromString(KEY_ID, 'base64'))
    const invite = INVITE_FORM.decode(await datastore.get(new Key('/presence-mesh/contacts/invites/c2VjcmV0')), new Key('/k'))
    assert.equal(invite.name, 'for Frank')

    const left = (await all(datastore, '/presence-mesh')).filter(({ key, value }) => value[0] === 0x7b && !key.startsWith('/presence-mesh/corrupt'))
    assert.deepEqual(left.map(({ key }) => key), [], 'no value is left in the JSON form')
    assert.deepEqual(await all(datastore, CORRUPT_PREFIX), [], 'nothing was taken for corrupt')
  })

  it('a corrupt access policy falls back to "ask", not "public", and stays so after a restart', async () => {
    const datastore = new MemoryDatastore()
    await datastore.put(new Key('/presence-mesh/access/policy'), fromString('{"default":'))
    const node = await nodes.start({ datastore, presence: { defaultPolicy: 'public' } })
    assert.equal(node.libp2p.services.presence.policy().default, 'ask')
    assert.equal((await all(datastore, CORRUPT_PREFIX)).length, 1, 'the unreadable policy is kept aside for the user')
    await node.stop()
    nodes.stopped(node)
    const again = await nodes.start({ datastore, presence: { defaultPolicy: 'public' } })
    assert.equal(again.libp2p.services.presence.policy().default, 'ask')
  })
  it('reads messages in the older framing, rewrites them, and sets one corrupted later aside instead of failing the inbox', async () => {
    const datastore = new MemoryDatastore()
    const alice = await nodes.start({ datastore })
    const bob = await nodes.start()
    await connect(bob, alice)
    for (const body of ['first', 'second']) assert.equal((await bob.libp2p.services.im.send(alice.peerId, { body })).status, 'delivered')
    await alice.stop()
    nodes.stopped(alice)

    // as the JSON version framed them: a 4-byte length, the JSON, the envelope
    const stored = await all(datastore, '/presence-mesh/im/inbox')
    assert.equal(stored.length, 2)
    for (const [i, { key, value }] of stored.entries()) {
      const { envelope } = MESSAGE_FORM.decode(value, new Key(key))
      const meta = fromString(JSON.stringify({ receivedAt: 1_000 + i, stranger: true }))
      const framed = new Uint8Array(4 + meta.length + envelope.length)
      new DataView(framed.buffer).setUint32(0, meta.length)
      framed.set(meta, 4)
      framed.set(envelope, 4 + meta.length)
      await datastore.put(new Key(key), framed)
    }
    const again = await nodes.start({ datastore })
    const bodies = async (): Promise<string[]> => (await again.libp2p.services.im.inbox()).map(m => new TextDecoder().decode(m.message.body)).sort()
    assert.deepEqual(await bodies(), ['first', 'second'])
    const rewritten = await all(datastore, '/presence-mesh/im/inbox')
    assert.ok(rewritten.every(({ value }) => value[0] !== 0), 'rewritten in the current form')

    // a disk error garbles one of them: the other still lists, the bad bytes are kept
    await datastore.put(new Key(rewritten[0].key), Uint8Array.from([0x0a, 0x05, 1, 2, 3, 4, 5]))
    assert.equal((await bodies()).length, 1)
    assert.equal((await all(datastore, CORRUPT_PREFIX)).length, 1)
  })
  it('prunes seen-markers in either form, and rewrites the ones it keeps', async () => {
    const datastore = new MemoryDatastore()
    const now = Date.now()
    const marker = (id: string): Key => new Key(`/presence-mesh/im/seen/alice/${id}`)
    await datastore.put(marker('old'), fromString(String(now - MAX_MESSAGE_AGE_MS - 1)))
    await datastore.put(marker('recent'), fromString(String(now)))
    const store = new MessageStore(datastore, 1024, { error: () => {} })
    assert.equal(await store.prune(now), 1)
    assert.equal(await datastore.has(marker('old')), false)
    assert.deepEqual(await datastore.get(marker('recent')), SEEN_FORM.encode(now))
  })
  it('starts when the state behind its own record no longer reads, from the signed record', async () => {
    const datastore = new MemoryDatastore()
    const first = await nodes.start({ datastore })
    await first.libp2p.services.presence.publish({ basic: 'open', availability: 'busy' })
    await first.stop()
    nodes.stopped(first)
    await datastore.put(new Key('/presence-mesh/presence/own-state'), Uint8Array.from([0x0a, 0xff]))
    const again = await nodes.start({ datastore })
    assert.equal(again.libp2p.services.presence.current?.availability, 'busy')
    assert.equal((await all(datastore, CORRUPT_PREFIX)).length, 1)
  })
})
