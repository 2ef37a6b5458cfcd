import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromMultihash, peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import fc from 'fast-check'
import { Key } from 'interface-datastore'
import * as Digest from 'multiformats/hashes/digest'
import { DEFAULT_MAILBOX_LIMITS } from '../../src/mailbox/constants.js'
import { MailboxStore } from '../../src/mailbox/mailbox-store.js'
import { StoredBox as PBStoredBox } from '../../src/mailbox/pb/mailbox.js'
import { CORRUPT_PREFIX } from '../../src/utils/stored-values.js'
import type { MailboxLimits } from '../../src/mailbox/index.js'
import type { Logger, PeerId } from '@libp2p/interface'

/** A quiet logger: the store only logs what it sets aside */
const log = Object.assign(() => {}, { error: () => {}, trace: () => {}, newScope: () => log, enabled: false }) as unknown as Logger

async function peer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

function box (n: number, size = 100): Uint8Array {
  const bytes = new Uint8Array(size)
  new DataView(bytes.buffer).setUint32(0, n)
  return bytes
}

/** 16 items a box: 8 for strangers together, 2 for each stranger */
const SMALL: MailboxLimits = { ...DEFAULT_MAILBOX_LIMITS, boxItems: 16, boxBytes: 1 << 20, senderShare: 1 / 8, strangersShare: 1 / 2, depositorItems: 6, totalItems: 40 }

describe('mailbox store', () => {
  it('gives each stranger its share of a box, strangers half, and contacts the rest', async () => {
    const store = new MailboxStore(new MemoryDatastore(), SMALL, log)
    const [recipient, friend] = [await peer(), await peer()]
    const strangers = await Promise.all(Array.from({ length: 5 }, peer))
    let n = 0
    const statuses = async (from: PeerId, count: number, contact = false): Promise<string[]> => {
      const out: string[] = []
      for (let i = 0; i < count; i++) {
        const outcome = await store.deposit(recipient, from, box(n++), contact)
        out.push(outcome.stored ? 'stored' : outcome.status)
      }
      return out
    }
    assert.deepEqual(await statuses(strangers[0], 3), ['stored', 'stored', 'share-used'])
    for (const s of strangers.slice(1, 4)) assert.deepEqual(await statuses(s, 2), ['stored', 'stored'])
    // eight strangers' items: their half is full, whoever comes next
    const refused = await store.deposit(recipient, strangers[4], box(n++), false)
    assert.deepEqual(refused.stored ? 'stored' : [refused.status, /open to senders without/.test(refused.reason)], ['box-full', true])
    assert.deepEqual(await statuses(friend, 6, true), Array(6).fill('stored'), 'a contact is held to no share')
    assert.deepEqual(await statuses(friend, 1, true), ['depositor-quota'])
    const other = await peer()
    assert.deepEqual(await statuses(other, 2, true), ['stored', 'stored'])
    assert.deepEqual(await statuses(await peer(), 1, true), ['box-full'], '16 items: the box itself is full')
  })

  it('bounds what one depositor leaves across boxes, and the relay in all, with strangers kept to half', async () => {
    const store = new MailboxStore(new MemoryDatastore(), { ...SMALL, totalItems: 10, depositorItems: 4 }, log)
    const flooder = await peer()
    const made = await Promise.all(Array.from({ length: 6 }, peer))
    const out = []
    for (const [i, r] of made.entries()) {
      const o = await store.deposit(r, flooder, box(i), false)
      out.push(o.stored ? 'stored' : o.status)
    }
    assert.deepEqual(out, ['stored', 'stored', 'stored', 'stored', 'depositor-quota', 'depositor-quota'])
    const second = await peer()
    assert.equal((await store.deposit(made[0], second, box(10), false)).stored, true)
    const full = await store.deposit(made[1], second, box(11), false)
    assert.equal(full.stored ? 'stored' : full.status, 'relay-full', 'strangers may fill half of the relay: 5 items')
    const recipient = await peer()
    const friend = await peer()
    for (let i = 0; i < 4; i++) assert.equal((await store.deposit(recipient, friend, box(20 + i), true)).stored, true, 'contacts keep the other half')
    assert.deepEqual(store.usage().items, 9)
  })

  it('stores a box sent twice once, and concurrent deposits never take more than the room', async () => {
    const store = new MailboxStore(new MemoryDatastore(), SMALL, log)
    const [recipient, stranger] = [await peer(), await peer()]
    const first = await store.deposit(recipient, stranger, box(1), false)
    const again = await store.deposit(recipient, stranger, box(1), false)
    assert.ok(first.stored && again.stored && first.expiresAt === again.expiresAt)
    const racers = await Promise.all(Array.from({ length: 10 }, async (_, i) => store.deposit(recipient, stranger, box(100 + i), false)))
    assert.equal(racers.filter(o => o.stored).length, 1, 'a share of 2 items, one already used')
    assert.equal(store.usage().items, 2)
  })

  it('rebuilds its accounting from the datastore, moving boxes of the older format', async () => {
    const datastore = new MemoryDatastore()
    const [recipient, stranger, old] = [await peer(), await peer(), await peer()]
    const store = new MailboxStore(datastore, SMALL, log)
    await store.deposit(recipient, stranger, box(1), false)
    await store.deposit(recipient, stranger, box(2), false)
    // a box kept by the previous version: float64 deposit time, then the box
    const legacy = new Uint8Array(8 + 50)
    new DataView(legacy.buffer).setFloat64(0, Date.now())
    await datastore.put(new Key(`/presence-mesh/mailbox/${old.toString()}/legacyid`), legacy)
    await datastore.put(new Key(`/presence-mesh/mailboxes/${old.toString()}/junk`), Uint8Array.from([0xff, 0xff, 0xff]))

    const restarted = new MailboxStore(datastore, SMALL, log)
    await restarted.load()
    assert.deepEqual(restarted.usage(), { items: 3, bytes: 250 })
    const refused = await restarted.deposit(recipient, stranger, box(3), false)
    assert.equal(refused.stored ? 'stored' : refused.status, 'share-used', 'the stranger\'s share counted across the restart')
    const listed = await restarted.list(old, 16)
    assert.deepEqual(listed.items.map(i => i.box.byteLength), [50], 'the old box is still delivered')
    assert.equal(await datastore.has(new Key(`/presence-mesh/mailbox/${old.toString()}/legacyid`)), false)
  })

  it('starts on any stored bytes: what it cannot read is set aside, the rest is accounted', async () => {
    const recipient = await peer()
    await fc.assert(fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), async values => {
      const datastore = new MemoryDatastore()
      for (const [i, value] of values.entries()) await datastore.put(new Key(`/presence-mesh/mailboxes/${recipient.toString()}/x${i}`), value)
      const store = new MailboxStore(datastore, SMALL, log)
      await store.load()
      let kept = 0
      for await (const entry of datastore.query({ prefix: '/presence-mesh/mailboxes/' })) kept += entry.key.toString().length > 0 ? 1 : 0
      assert.equal(store.usage().items, kept, 'everything left in the datastore is accounted')
      assert.equal((await store.list(recipient, 16)).items.length, kept)
      let aside = 0
      for await (const entry of datastore.query({ prefix: CORRUPT_PREFIX })) aside += entry.value.length >= 0 ? 1 : 0
      const unreadable = values.filter(value => {
        try {
          const { depositor } = PBStoredBox.decode(value)
          if (depositor.byteLength > 0) peerIdFromMultihash(Digest.decode(depositor))
          return false
        } catch {
          return true
        }
      })
      assert.equal(aside, unreadable.length, 'what does not read is kept aside, not deleted')
    }), { numRuns: 100 })
  })

  it('deletes expired boxes when their box is touched and on a sweep, and their room is free again', async () => {
    const datastore = new MemoryDatastore()
    const store = new MailboxStore(datastore, { ...SMALL, ttlMs: 1_000, totalItems: 2 }, log)
    const [a, b, friend] = [await peer(), await peer(), await peer()]
    const t0 = Date.now()
    await store.deposit(a, friend, box(1), true, t0)
    await store.deposit(b, friend, box(2), true, t0)
    const full = await store.deposit(a, friend, box(3), true, t0 + 500)
    assert.equal(full.stored ? 'stored' : full.status, 'relay-full')
    // past the time to live: the relay sweeps before refusing, and takes it
    assert.equal((await store.deposit(a, friend, box(3), true, t0 + 1_500)).stored, true)
    assert.equal((await store.list(b, 16, t0 + 1_500)).items.length, 0)
    assert.equal(await store.sweep(t0 + 3_000), 1)
    assert.deepEqual(store.usage(), { items: 0, bytes: 0 })
    let left = 0
    for await (const entry of datastore.query({ prefix: '/presence-mesh/mailboxes/' })) left += entry.value.byteLength
    assert.equal(left, 0)
  })

  it('hands out a batch oldest first, bounded by items and bytes but never empty, and expires each box on time', async () => {
    const store = new MailboxStore(new MemoryDatastore(), { ...SMALL, ttlMs: 1_000 }, log)
    const [r, friend] = [await peer(), await peer()]
    const t0 = Date.now()
    for (const [i, size] of [100, 300, 100, 2_000].entries()) await store.deposit(r, friend, box(i, size), true, t0 + i * 100)
    const sizes = async (max: number, now: number, maxBytes?: number): Promise<[number[], boolean]> => {
      const { items, more } = await store.list(r, max, now, maxBytes)
      return [items.map(item => item.box.byteLength), more]
    }
    assert.deepEqual(await sizes(3, t0 + 400, 450), [[100, 300], true])
    assert.deepEqual(await sizes(3, t0 + 400, 10), [[100], true])
    assert.deepEqual(await sizes(10, t0 + 400), [[100, 300, 100, 2_000], false])
    // each box goes when its own time is up, not before
    assert.deepEqual(await sizes(10, t0 + 1_050), [[300, 100, 2_000], false])
    assert.deepEqual(await sizes(10, t0 + 1_150), [[100, 2_000], false])
    assert.deepEqual(await sizes(10, t0 + 1_250), [[2_000], false])
    assert.deepEqual(await sizes(10, t0 + 1_350), [[], false])
    assert.deepEqual(store.usage(), { items: 0, bytes: 0 })
  })

  it('sets a box corrupted on disk aside when listed, and hands out the others', async () => {
    const datastore = new MemoryDatastore()
    const store = new MailboxStore(datastore, SMALL, log)
    const [recipient, sender] = [await peer(), await peer()]
    await store.deposit(recipient, sender, box(1), true, 1_000)
    await store.deposit(recipient, sender, box(2), true, 2_000)
    const [first] = (await store.list(recipient, 10, 3_000)).items
    // a disk error garbles the first box's value: the box (field 4) claims more bytes than follow
    await datastore.put(new Key(`/presence-mesh/mailboxes/${recipient.toString()}/${first.id}`), Uint8Array.from([0x22, 0xff, 0x01]))
    const { items } = await store.list(recipient, 10, 3_000)
    assert.deepEqual(items.map(item => item.depositedAt), [2_000])
    assert.equal(store.usage().items, 1, 'the corrupt box no longer holds room')
    const aside = []
    for await (const entry of datastore.query({ prefix: CORRUPT_PREFIX })) aside.push(entry.value)
    assert.deepEqual(aside, [Uint8Array.from([0x22, 0xff, 0x01])], 'its bytes are kept')
  })
})
