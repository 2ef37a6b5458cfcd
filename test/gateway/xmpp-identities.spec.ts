import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import { Key, type Datastore } from 'interface-datastore'
import { fromString, toString } from 'uint8arrays'
import { xml } from '@xmpp/client'
import { XmppGateway } from '../../src/gateway/xmpp.js'
import { IDENTITY_FORM, XmppIdentities } from '../../src/gateway/xmpp-identities.js'
import type { IdentityHost } from '../../src/gateway/xmpp-identity.js'
import { startNode } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Element } from '@xmpp/xml'

/** A stand-in for an identity's node: what XmppIdentity uses of one, and whether it was stopped */
interface StubNode { peerId: PeerId, datastore: Datastore, stopped: boolean, watching: boolean }

type Send = (to: PeerId, message: { body: string }) => Promise<unknown>

function stubFactory (made: StubNode[], send: Send = async () => ({ status: 'delivered' })): (key: PrivateKey, datastore: Datastore) => Promise<PresenceMeshNode> {
  return async (key, datastore) => {
    const stub: StubNode = { peerId: peerIdFromPrivateKey(key), datastore, stopped: false, watching: false }
    made.push(stub)
    const presence = Object.assign(new EventTarget(), {
      current: undefined,
      subscriptions: () => stub.watching ? [{}] : [],
      policy: () => ({ default: 'ask', rules: {}, pending: {} }),
      publish: async () => ({})
    })
    const im = Object.assign(new EventTarget(), { send })
    const node = { peerId: stub.peerId, datastore, libp2p: { services: { presence, im } }, stop: async () => { stub.stopped = true } }
    return node as unknown as PresenceMeshNode
  }
}

const host: IdentityHost = { send: async (_: Element) => {}, jidOf: () => undefined, log: Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false, newScope: () => host.log }) as any }

describe('XMPP users\' mesh identities', () => {
  it('gives each XMPP user a key of its own, kept across restarts, made only when asked for', async () => {
    const datastore = new MemoryDatastore()
    const made: StubNode[] = []
    const pool = new XmppIdentities(datastore, stubFactory(made), host)
    const alice = await pool.get('alice@example.org')
    const bob = await pool.get('bob@example.org')
    assert.ok(alice != null && bob != null)
    assert.ok(!alice.peerId.equals(bob.peerId))
    assert.equal(await pool.get('alice@example.org'), alice, 'one node per user')
    assert.equal(await pool.get('carol@example.org', { create: false }), undefined)
    // each node's state lies under a prefix of its own
    alice.lastActive = 1
    await made[0].datastore.put(new Key('/presence-mesh/x'), fromString('a'))
    const count = async (store: Datastore): Promise<number> => {
      let n = 0
      for await (const entry of store.query({ prefix: '/presence-mesh' })) n += entry.value.length > 0 ? 1 : 0
      return n
    }
    assert.deepEqual([await count(made[0].datastore), await count(made[1].datastore)], [1, 0])
    await pool.stop()
    assert.ok(made.every(n => n.stopped))

    // restarted: the users active before come back with their keys, the most recent first, up to the bound
    const again = new XmppIdentities(datastore, stubFactory(made), host, { maxActive: 1 })
    await again.start()
    assert.equal(again.active, 1)
    assert.ok((await again.get('bob@example.org'))?.peerId.equals(bob.peerId))
    assert.ok((await again.get('alice@example.org'))?.peerId.equals(alice.peerId))
    assert.equal((await again.get('carol@example.org', { create: false })), undefined)
    await again.stop()
  })

  it('runs a query\'s filters only on keys under its prefix, as a whole datastore does (libp2p\'s peer store relies on it)', async () => {
    const made: StubNode[] = []
    const pool = new XmppIdentities(new MemoryDatastore(), stubFactory(made), host)
    await pool.get('alice@example.org')
    const store = made[0].datastore
    await store.put(new Key('/peers/one'), fromString('p'))
    await store.put(new Key('/dht/record/two'), fromString('r'))
    // the peer store's filters read every key they see as a peer's: one that is not threw
    const strict = (key: Key): boolean => {
      if (!key.toString().startsWith('/peers/')) throw new Error(`not a peer: ${key.toString()}`)
      return true
    }
    const keys: string[] = []
    for await (const { key } of store.query({ prefix: '/peers/', filters: [({ key }) => strict(key)] })) keys.push(key.toString())
    for await (const key of store.queryKeys({ prefix: '/peers/', filters: [strict] })) keys.push(key.toString())
    assert.deepEqual(keys, ['/peers/one', '/peers/one'])
    await pool.stop()
  })

  it('resumes an identity the JSON version stored, with its key, and rewrites it as a StoredIdentity', async () => {
    const datastore = new MemoryDatastore()
    const key = await generateKeyPair('Ed25519')
    const hash = createHash('sha256').update('dora@example.org').digest('hex').slice(0, 32)
    const where = new Key(`/presence-mesh/gateway/xmpp/identities/${hash}`)
    await datastore.put(where, fromString(JSON.stringify({ jid: 'dora@example.org', key: toString(privateKeyToProtobuf(key), 'base64'), lastActive: 5 })))
    const made: StubNode[] = []
    const pool = new XmppIdentities(datastore, stubFactory(made), host)
    await pool.start()
    assert.ok((await pool.get('dora@example.org', { create: false }))?.peerId.equals(peerIdFromPrivateKey(key)), 'the same mesh identity')
    assert.equal(IDENTITY_FORM.decode(await datastore.get(where), where).jid, 'dora@example.org')
    assert.notEqual((await datastore.get(where))[0], 0x7b, 'no longer JSON')
    await pool.stop()
  })

  it('keeps at most maxActive nodes, stopping users gone offline first, then the least recently active', async () => {
    const made: StubNode[] = []
    const pool = new XmppIdentities(new MemoryDatastore(), stubFactory(made), host, { maxActive: 2 })
    const a = await pool.get('a@x')
    const b = await pool.get('b@x')
    assert.ok(a != null && b != null)
    a.lastActive = 1
    await b.publish('unavailable')
    await pool.get('c@x')
    assert.deepEqual(made.map(n => n.stopped), [false, true, false], 'b went offline: it goes first')
    a.lastActive = 1
    await pool.get('d@x')
    assert.deepEqual(made.map(n => n.stopped), [true, true, false, false], 'then the least recently active')
    assert.equal(pool.active, 2)
    await pool.stop()
  })

  it('stops idle nodes: offline users, and users of unknown state who watch nobody; never online ones', async () => {
    const made: StubNode[] = []
    const pool = new XmppIdentities(new MemoryDatastore(), stubFactory(made), host, { idleMs: 1_000 })
    const [online, offline, silent, watcher] = await Promise.all(['on@x', 'off@x', 'silent@x', 'watcher@x'].map(async jid => pool.get(jid)))
    await online?.publish(undefined)
    await offline?.publish('unavailable')
    made[3].watching = true
    await pool.sweep(Date.now() + 500)
    assert.equal(pool.active, 4, 'none idle long enough')
    await pool.sweep(Date.now() + 2_000)
    assert.deepEqual([online, offline, silent, watcher].map(i => made.find(n => i?.peerId.equals(n.peerId))?.stopped), [false, true, true, false])
    assert.equal(pool.active, 2)
    await pool.stop()
  })

  it('starts identity nodes asking before anyone watches them, while a policy the user stored wins', async () => {
    const datastore = new MemoryDatastore()
    const fresh = await startNode({ datastore, presence: { defaultPolicy: 'ask', publishOnStart: false } })
    try {
      assert.equal(fresh.libp2p.services.presence.policy().default, 'ask')
      await fresh.libp2p.services.presence.setDefaultPolicy('deny')
    } finally {
      await fresh.stop()
    }
    const again = await startNode({ datastore, presence: { defaultPolicy: 'ask', publishOnStart: false } })
    try {
      assert.equal(again.libp2p.services.presence.policy().default, 'deny')
    } finally {
      await again.stop()
    }
  })

  it('handles one XMPP user\'s stanzas in order, and drops them beyond 256 waiting', async () => {
    let release = (): void => {}
    const gate = new Promise<void>(resolve => { release = resolve })
    const sent: string[] = []
    const made: StubNode[] = []
    const m = await startNode()
    try {
      const gateway = new XmppGateway({ peerId: m.peerId, im: m.libp2p.services.im, datastore: new MemoryDatastore(), logger: m.libp2p.logger }, {
        service: 'xmpp://127.0.0.1:1',
        domain: 'mesh.x',
        secret: 's',
        serve: [m.peerId],
        identities: stubFactory(made, async (_, message) => { sent.push(message.body); await gate; return { status: 'stored' } })
      })
      const inside = gateway as unknown as { enqueue(stanza: Element): void, queues: Map<string, unknown> }
      for (let i = 0; i < 300; i++) inside.enqueue(xml('message', { from: 'alice@x/phone', to: gateway.jidOf(m.peerId), id: `c${i}` }, xml('body', {}, `${i}`)))
      await waitFor(() => sent.length === 1, 10_000, 'the first chat')
      release()
      await waitFor(() => inside.queues.size === 0, 10_000, 'the queue to drain')
      assert.deepEqual(sent, Array.from({ length: 256 }, (_, i) => `${i}`), 'in order; the rest dropped')
      assert.equal(made.length, 1, 'one identity')
    } finally {
      await m.stop()
    }
  })
})
