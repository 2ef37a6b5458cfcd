/**
 * Forged, replayed and rolled-back presence records, sent by a stranger's
 * node (plain libp2p pushing by hand, and kad-dht) to real presence-mesh
 * nodes: P, a presentity, and W, a DHT server that watches P. Nothing forged
 * may reach W's user (notify or fetch) or W's DHT store; a genuine but older
 * record must not replace the newest anywhere, and pushing one — what an
 * honest holder does when its will arrives late — costs the sender nothing.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { connect, nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import { Libp2pRecord } from '@libp2p/record'
import { Key } from 'interface-datastore'
import { toString } from 'uint8arrays/to-string'
import { DHT_DATASTORE_PREFIX } from '../../src/presence/index.js'
import { attackerNode, knowsServer, presenceKeyOf, pushRecord, putValue, readRecord, signRecord, type Attacker } from './integrity-helpers.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'
import type { NotifyEvent } from '../../src/presence/index.js'
import type { PrivateKey } from '@libp2p/interface'

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

interface Scene {
  p: PresenceMeshNode
  pKey: PrivateKey
  w: PresenceMeshNode
  a: Attacker
  seen: NotifyEvent[]
  /** Push envelope bytes to W as the attacker; whether W took the stream to its end or reset it */
  push(bytes: Uint8Array): Promise<'closed' | 'aborted'>
  key: Uint8Array
  /** The envelope W's DHT store holds for P, once its seq is `seq` (what any DHT get can capture) */
  servedAt(seq: bigint): Promise<Uint8Array>
  /** The envelope W's DHT store holds for P now */
  held(): Promise<Uint8Array | undefined>
}

describe('adversarial: forged, replayed and rolled-back presence records', function () {
  this.timeout(30_000)
  const nodes = nodesPerTest()
  const attackers: Attacker[] = []
  afterEach(async () => { await Promise.all(attackers.splice(0).map(async a => a.stop())) })

  async function scene (): Promise<Scene> {
    const pKey = await generateKeyPair('Ed25519')
    const [p, w, a] = await Promise.all([
      nodes.start({ privateKey: pKey, presence: { publishOnStart: false } }),
      nodes.start({ presence: { publishOnStart: false } }),
      attackerNode()
    ])
    attackers.push(a)
    await connect(w, p)
    const key = presenceKeyOf(p.peerId)
    await a.dial(w.libp2p.getMultiaddrs()[0])
    await waitFor(() => knowsServer(a), 10_000, 'W in the attacker\'s DHT routing table')
    const push = async (bytes: Uint8Array): Promise<'closed' | 'aborted'> => pushRecord(a, w.libp2p.getMultiaddrs()[0], bytes)

    await p.libp2p.services.presence.publish({ basic: 'open', availability: 'available', note: { text: 'genuine' } })
    const seen: NotifyEvent[] = []
    w.libp2p.services.presence.addEventListener('notify', event => { seen.push(event.detail) })
    const response = await w.libp2p.services.presence.subscribe(p.peerId, { duration: 120 })
    assert.equal(response.status, 'success', response.reason)
    await waitFor(() => seen.length > 0, 5_000, 'the first notify')
    const held = async (): Promise<Uint8Array | undefined> => {
      const dsKey = new Key(`${DHT_DATASTORE_PREFIX}/record/${toString(key, 'base32')}`, false)
      if (!(await w.datastore.has(dsKey))) return undefined
      return Libp2pRecord.deserialize(await w.datastore.get(dsKey)).value
    }
    const servedAt = async (seq: bigint): Promise<Uint8Array> => waitFor(async () => {
      const value = await held()
      return value != null && readRecord(value).seq === seq ? value : undefined
    }, 10_000, `W's DHT to hold P's record ${seq}`)
    return { p, pKey, w, a, seen, push, key, servedAt, held }
  }

  /** P publishes `note`, and W has it both as a notify and in its DHT store */
  async function change (s: Scene, note: string): Promise<{ seq: bigint, bytes: Uint8Array }> {
    const record = await s.p.libp2p.services.presence.publish({ note: { text: note } })
    await waitFor(() => s.seen.some(e => e.record?.seq === record.seq), 5_000, `the notify of "${note}"`)
    return { seq: record.seq, bytes: await s.servedAt(record.seq) }
  }

  /** What W shows its user for P: notifies since `from`, and a fetch */
  async function shownAtW (s: Scene, from: number): Promise<{ notes: Array<string | undefined>, fetched: string | undefined, seq: bigint }> {
    const fetched = await s.w.libp2p.services.presence.fetch(s.p.peerId)
    return { notes: s.seen.slice(from).map(e => e.record?.note?.text), fetched: fetched.note?.text, seq: fetched.seq }
  }

  describe('pushed', () => {
    it('ignores a replay of an older genuine record: the watcher keeps the newest, the sender is not punished', async () => {
      const s = await scene()
      const old = await change(s, 'old')
      const newest = await change(s, 'newest')
      const before = s.w.libp2p.services.presence.verdicts
      const notifies = s.seen.length

      assert.equal(await s.push(old.bytes), 'closed', 'a late genuine record was refused as forged')
      await waitFor(() => s.w.libp2p.services.presence.verdicts.ignore > before.ignore, 5_000, 'an ignore verdict at W')
      assert.equal(s.w.libp2p.services.presence.verdicts.reject, before.reject, 'a late genuine record was punished as forged')
      // a measured quiet window: a notify of the old record, were one sent, follows the verdict at once
      await sleep(300)
      assert.deepEqual(await shownAtW(s, notifies), { notes: [], fetched: 'newest', seq: newest.seq })
    })

    it('ignores an expired genuine record, and still rejects an expired forged one', async () => {
      const s = await scene()
      const newest = s.p.libp2p.services.presence.current!
      const now = Date.now()
      const expired = { presentity: s.p.peerId, seq: newest.seq + 10n, note: 'expired', issuedAt: now - 120_000, expiresAt: now - 60_000 }
      const before = s.w.libp2p.services.presence.verdicts
      const notifies = s.seen.length

      await s.push(await signRecord(s.pKey, expired))
      await waitFor(() => s.w.libp2p.services.presence.verdicts.ignore > before.ignore, 5_000, 'an ignore verdict at W')
      assert.equal(s.w.libp2p.services.presence.verdicts.reject, before.reject)

      // expired and forged: the expiry must not hide the bad signature
      assert.equal(await s.push(await signRecord(await generateKeyPair('Ed25519'), { ...expired, note: 'expired forgery' })), 'aborted')
      await waitFor(() => s.w.libp2p.services.presence.verdicts.reject > before.reject, 5_000, 'a reject verdict at W')
      assert.deepEqual(await shownAtW(s, notifies), { notes: [], fetched: 'genuine', seq: newest.seq })
    })

    it('ignores a record with the newest sequence number and other content', async () => {
      const s = await scene()
      const newest = s.p.libp2p.services.presence.current!
      const before = s.w.libp2p.services.presence.verdicts
      const notifies = s.seen.length

      // signed with P's own key: only P (or a stolen key) can make one
      await s.push(await signRecord(s.pKey, { presentity: s.p.peerId, seq: newest.seq, note: 'same seq, other content' }))
      await waitFor(() => s.w.libp2p.services.presence.verdicts.ignore > before.ignore, 5_000, 'an ignore verdict at W')
      assert.equal(s.w.libp2p.services.presence.verdicts.reject, before.reject)
      assert.deepEqual(await shownAtW(s, notifies), { notes: [], fetched: 'genuine', seq: newest.seq })
    })

    it('drops a stranger\'s own genuine record unopened: W does not watch it', async () => {
      const s = await scene()
      const before = s.w.libp2p.services.presence.verdicts
      const notifies = s.seen.length
      const strangerKey = await generateKeyPair('Ed25519')
      const stranger = peerIdFromPrivateKey(strangerKey)
      assert.equal(await s.push(await signRecord(strangerKey, { presentity: stranger, seq: 1n, note: 'hello from a stranger' })), 'closed')
      await waitFor(() => s.w.libp2p.services.presence.verdicts.ignore > before.ignore, 5_000, 'an ignore verdict at W')
      assert.equal(s.w.libp2p.services.presence.verdicts.reject, before.reject)
      assert.deepEqual(s.seen.slice(notifies), [])
    })

    const forgeries: Array<{ name: string, forge(s: Scene): Promise<Uint8Array> }> = [
      {
        name: 'a record of P signed by another key',
        forge: async s => signRecord(await generateKeyPair('Ed25519'), { presentity: s.p.peerId, seq: 1_000n, note: 'forged' })
      },
      {
        name: 'P\'s genuine record with one byte flipped',
        forge: async s => {
          const bytes = await signRecord(s.pKey, { presentity: s.p.peerId, seq: 1_000n, note: 'signed text' })
          const at = Buffer.from(bytes).indexOf('signed text')
          bytes[at] ^= 0x20
          return bytes
        }
      },
      {
        name: 'bytes that are no envelope at all',
        forge: async () => randomBytes(400)
      }
    ]
    for (const { name, forge } of forgeries) {
      it(`rejects ${name}: never shown, the stream is reset, and repeated the sender is cut off`, async () => {
        const s = await scene()
        const bytes = await forge(s)
        const before = s.w.libp2p.services.presence.verdicts
        const notifies = s.seen.length

        assert.equal(await s.push(bytes), 'aborted')
        await waitFor(() => s.w.libp2p.services.presence.verdicts.reject > before.reject, 5_000, 'a reject verdict at W')
        // 8 rejects in all: W hangs up and refuses the sender's pushes for a while
        for (let i = 1; i < 8; i++) await s.push(bytes)
        await waitFor(() => s.w.libp2p.getConnections(s.a.peerId).length === 0, 5_000, 'W to hang up on the forger')
        const rejects = s.w.libp2p.services.presence.verdicts.reject
        assert.equal(await s.push(bytes), 'aborted')
        assert.equal(s.w.libp2p.services.presence.verdicts.reject, rejects, 'W read a push of the banned sender')
        assert.equal(s.w.libp2p.services.presence.verdicts.accept, before.accept)
        assert.deepEqual(await shownAtW(s, notifies), { notes: [], fetched: 'genuine', seq: s.p.libp2p.services.presence.current!.seq })
      })
    }
  })

  describe('in the DHT', () => {
    /** The attacker puts `bytes` under P's key: every server it reaches (W, and P, which W names) refuses */
    async function refused (s: Scene, bytes: Uint8Array): Promise<void> {
      const { stored, refused } = await putValue(s.a, s.key, bytes)
      assert.deepEqual(stored, [], 'a DHT server stored the record')
      assert.ok(refused.includes(s.w.peerId.toString()), 'W did not answer')
    }

    async function taken (s: Scene, bytes: Uint8Array): Promise<void> {
      const { stored } = await putValue(s.a, s.key, bytes)
      assert.ok(stored.includes(s.w.peerId.toString()), 'W refused a valid put')
    }

    async function stillServed (s: Scene, seq: bigint, note: string): Promise<void> {
      const served = await s.held()
      assert.ok(served != null, 'W holds no record of P')
      assert.equal(readRecord(served).seq, seq)
      assert.equal(readRecord(served).note?.text, note)
    }

    it('refuses a rollback to an older genuine record, and the server keeps the newest', async () => {
      const s = await scene()
      const old = await change(s, 'old')
      const newest = await change(s, 'newest')
      await refused(s, old.bytes)
      await stillServed(s, newest.seq, 'newest')
    })

    it('refuses the newest sequence number with other content', async () => {
      const s = await scene()
      const newest = await change(s, 'newest')
      await refused(s, await signRecord(s.pKey, { presentity: s.p.peerId, seq: newest.seq, note: 'same seq, other content' }))
      await stillServed(s, newest.seq, 'newest')
    })

    it('refuses forgeries: another key, a flipped byte, a stranger\'s own record under P\'s key', async () => {
      const s = await scene()
      const newest = await change(s, 'newest')
      await refused(s, await signRecord(await generateKeyPair('Ed25519'), { presentity: s.p.peerId, seq: newest.seq + 100n, note: 'forged' }))
      const flipped = await signRecord(s.pKey, { presentity: s.p.peerId, seq: newest.seq + 100n, note: 'signed text' })
      flipped[Buffer.from(flipped).indexOf('signed text')] ^= 0x20
      await refused(s, flipped)
      const strangerKey = await generateKeyPair('Ed25519')
      await refused(s, await signRecord(strangerKey, { presentity: peerIdFromPrivateKey(strangerKey), seq: newest.seq + 100n, note: 'a stranger\'s' }))
      await stillServed(s, newest.seq, 'newest')
      const fetched = await s.w.libp2p.services.presence.fetch(s.p.peerId)
      assert.equal(fetched.note?.text, 'newest')
    })

    it('still takes the same record again and a newer one', async () => {
      const s = await scene()
      const newest = await change(s, 'newest')
      await taken(s, newest.bytes)
      await taken(s, await signRecord(s.pKey, { presentity: s.p.peerId, seq: newest.seq + 2n, note: 'newer' }))
      await stillServed(s, newest.seq + 2n, 'newer')
    })
  })
})
