/**
 * The presence service on real libp2p nodes on loopback: CPIM subscriptions,
 * notifies across a small mesh, offline fetches, restarts and wills — as a
 * user of `node.libp2p.services.presence` sees them.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { connect, startNode, stopAll } from '../helpers/nodes.js'
import { tempDir, waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'
import type { NotifyEvent } from '../../src/presence/index.js'
import type { ConnectionGater, PeerId } from '@libp2p/interface'

interface Seen extends NotifyEvent { at: number }

/** Record every notify a node emits, with the time it arrived */
function notifies (node: PresenceMeshNode): Seen[] {
  const seen: Seen[] = []
  node.libp2p.services.presence.addEventListener('notify', event => { seen.push({ ...event.detail, at: Date.now() }) })
  return seen
}

/** Wait for a notify about `target` that matches */
async function notified (seen: Seen[], target: PeerId, match: (event: Seen) => boolean, ms: number, what: string): Promise<Seen> {
  return waitFor(() => seen.find(event => event.target.equals(target) && match(event)), ms, what)
}

/** A gater that never lets `node` connect to `peer`, either way */
function never (peer: () => PeerId): ConnectionGater {
  return {
    denyDialPeer: async (remote) => remote.equals(peer()),
    denyInboundEncryptedConnection: async (remote) => remote.equals(peer())
  }
}

function bootstrapAddress (node: PresenceMeshNode): string {
  return node.libp2p.getMultiaddrs()[0].toString()
}

/** Nodes that are not the presentity under test need not announce themselves (saves the lone-node DHT wait) */
const quiet = { presence: { publishOnStart: false } }

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

describe('presence service on a mesh', function () {
  this.timeout(30_000)
  const nodes: PresenceMeshNode[] = []
  const dirs: Array<{ remove(): Promise<void> }> = []
  const start = async (...args: Parameters<typeof startNode>): Promise<PresenceMeshNode> => {
    const node = await startNode(...args)
    nodes.push(node)
    return node
  }
  afterEach(async () => {
    await stopAll(...nodes.splice(0))
    await Promise.all(dirs.splice(0).map(async dir => dir.remove()))
  })

  it('pushes a change to three watchers across a 5-node mesh', async function () {
    this.timeout(30_000)
    // P — R — W1 — W3, R — W2: no watcher dials P itself
    const [r, p, w1, w2, w3] = await Promise.all([start(quiet), start(), start(quiet), start(quiet), start(quiet)])
    await connect(p, r)
    await connect(w1, r)
    await connect(w2, r)
    await connect(w3, w1)
    const watchers = [w1, w2, w3]
    const seen = watchers.map(notifies)

    const responses = await Promise.all(watchers.map(async w => w.libp2p.services.presence.subscribe(p.peerId, { duration: 120 })))
    for (const response of responses) assert.equal(response.status, 'success', response.reason)
    await Promise.all(seen.map(async (s, i) => notified(s, p.peerId, e => e.record?.basic === 'open', 5_000, `initial notify at W${i + 1}`)))

    // the change right after the subscriptions succeeded
    const t0 = Date.now()
    const record = await p.libp2p.services.presence.publish({ availability: 'busy', note: { text: 'in a meeting' } })
    const arrivals = await Promise.all(seen.map(async (s, i) => notified(s, p.peerId,
      e => e.record?.availability === 'busy' && e.record.note?.text === 'in a meeting' && e.record.seq === record.seq, 15_000, `busy at W${i + 1}`)))
    const latencies = arrivals.map(e => e.at - t0)
    const direct = watchers.map(w => w.libp2p.getConnections(p.peerId).length > 0)
    console.log(`      change → notify latency (ms): ${latencies.join(', ')}; watchers directly connected to P: ${direct.join(', ')}`)
    for (const [i, event] of arrivals.entries()) assert.equal(event.transactionId, responses[i].transactionId)
  })

  for (const history of ['a fresh home', 'a home with a record from an earlier run'] as const) {
    it(`notifies a watcher that subscribed before the presentity came online (${history})`, async function () {
      this.timeout(30_000)
      const home = await tempDir()
      dirs.push(home)
      const key = await generateKeyPair('Ed25519')
      const pId = peerIdFromPrivateKey(key)
      const [r, w] = await Promise.all([start(quiet), start(quiet), (async () => {
        if (history === 'a fresh home') return
        // the presentity said something in an earlier run, in isolation: nobody knows it
        const before = await startNode({ home: home.path, privateKey: key, ...quiet })
        await before.libp2p.services.presence.publish({ availability: 'away', note: { text: 'back soon' } })
        await before.stop()
      })()])
      await connect(w, r)
      const seen = notifies(w)
      const response = await w.libp2p.services.presence.subscribe(pId, { duration: 120 })
      assert.equal(response.status, 'success', response.reason)
      assert.equal(response.record, undefined)
      const first = await notified(seen, pId, () => true, 5_000, 'the notify of an unknown presentity')
      assert.equal(first.record, undefined)
      assert.equal(first.transactionId, response.transactionId)

      // it starts, joining the mesh through R as a configured node does
      const t0 = Date.now()
      const p = await start({ home: home.path, privateKey: key, bootstrap: [bootstrapAddress(r)] })
      const open = await notified(seen, pId, e => e.record?.basic === 'open', 8_000, 'the open notify')
      console.log(`      presentity start → open notify: ${open.at - t0} ms`)
      assert.equal(open.transactionId, response.transactionId)
      if (history !== 'a fresh home') assert.equal(open.record?.note?.text, 'back soon')
      assert.equal(p.libp2p.status, 'started')
    })
  }

  it('fetches the goodbye of a presentity that went offline, through a third node', async function () {
    this.timeout(30_000)
    const key = await generateKeyPair('Ed25519')
    const pId = peerIdFromPrivateKey(key)
    const [r, p, w] = await Promise.all([start(quiet), start({ privateKey: key, ...quiet }), start({ connectionGater: never(() => pId), ...quiet })])
    await connect(p, r)
    await connect(w, r)
    await p.libp2p.services.presence.publish({ availability: 'busy', note: { text: 'on a train' } })
    await p.stop()

    const record = await w.libp2p.services.presence.fetch(p.peerId)
    assert.equal(record.basic, 'closed')
    assert.equal(record.note?.text, 'on a train')
    assert.equal(w.libp2p.getConnections(p.peerId).length, 0)
  })

  describe('CPIM semantics', () => {
    async function pair (maxGrantedDuration = 30): Promise<{ p: PresenceMeshNode, w: PresenceMeshNode }> {
      const [p, w] = await Promise.all([start({ presence: { maxGrantedDuration, publishOnStart: false } }), start(quiet)])
      await connect(w, p)
      await p.libp2p.services.presence.publish({ basic: 'open' })
      return { p, w }
    }

    it('answers, notifies at once, grants at most what was asked, refuses a second subscription', async function () {
      this.timeout(15_000)
      const { p, w } = await pair(30)
      const seen = notifies(w)
      const response = await w.libp2p.services.presence.subscribe(p.peerId, { duration: 120 })
      assert.equal(response.status, 'success', response.reason)
      assert.match(response.transactionId, /^[\x21-\x7e]{1,64}$/)
      assert.ok(response.duration > 0 && response.duration <= 30, `granted ${response.duration}`)
      const first = await notified(seen, p.peerId, () => true, 1_000, 'the immediate notify')
      assert.equal(first.transactionId, response.transactionId)
      assert.equal(first.record?.basic, 'open')
      assert.equal(first.record?.seq, p.libp2p.services.presence.current?.seq)

      const watchers = p.libp2p.services.presence.watchers()
      assert.deepEqual(watchers.map(x => [x.peerId.toString(), x.transactionId]), [[w.peerId.toString(), response.transactionId]])

      const again = await w.libp2p.services.presence.subscribe(p.peerId, { duration: 60 })
      assert.equal(again.status, 'failure')
      assert.ok(again.reason != null && again.reason.length > 0)
      assert.deepEqual(w.libp2p.services.presence.subscriptions().map(s => s.transactionId), [response.transactionId])
    })

    it('duration 0 returns the current state and cancels; the presentity drops a cancelled watcher', async function () {
      this.timeout(15_000)
      const { p, w } = await pair()
      const ended: string[] = []
      w.libp2p.services.presence.addEventListener('subscription:end', e => { ended.push(e.detail.reason) })
      const seen = notifies(w)
      await p.libp2p.services.presence.publish({ availability: 'idle' })

      const sub = await w.libp2p.services.presence.subscribe(p.peerId, { duration: 60 })
      assert.equal(sub.status, 'success')
      const poll = await w.libp2p.services.presence.subscribe(p.peerId, { duration: 0 })
      assert.equal(poll.status, 'success')
      assert.equal(poll.duration, 0)
      assert.equal(poll.record?.availability, 'idle')
      assert.notEqual(poll.transactionId, sub.transactionId)
      await notified(seen, p.peerId, e => e.transactionId === poll.transactionId && e.record?.availability === 'idle', 1_000, 'the poll notify')
      assert.deepEqual(w.libp2p.services.presence.subscriptions(), [])
      assert.deepEqual(ended, ['cancelled'])
      await waitFor(() => p.libp2p.services.presence.watchers().length === 0, 2_000, 'the presentity to drop the polled-away watcher')

      // subscribe again, then cancel with unsubscribe()
      const again = await w.libp2p.services.presence.subscribe(p.peerId, { duration: 60 })
      assert.equal(again.status, 'success', again.reason)
      assert.deepEqual(p.libp2p.services.presence.watchers().map(x => x.transactionId), [again.transactionId])
      assert.equal(await w.libp2p.services.presence.unsubscribe(p.peerId), true)
      assert.deepEqual(w.libp2p.services.presence.subscriptions(), [])
      await waitFor(() => p.libp2p.services.presence.watchers().length === 0, 2_000, 'the presentity to drop the cancelled watcher')
      assert.equal(await w.libp2p.services.presence.unsubscribe(p.peerId), false)

      // no notify after the cancel
      const count = seen.length
      await p.libp2p.services.presence.publish({ availability: 'away' })
      // a measured quiet window: a notify, were one still sent, arrives within milliseconds on loopback
      await sleep(500)
      assert.equal(seen.length, count)
    })

  })

  it('keeps a subscription across a restart of the watcher', async function () {
    this.timeout(30_000)
    const home = await tempDir()
    dirs.push(home)
    const [r, p, first] = await Promise.all([start(quiet), start(quiet), startNode({ home: home.path, ...quiet })])
    let transactionId: string
    try {
      await connect(p, r)
      await p.libp2p.services.presence.publish({ basic: 'open' })
      await connect(first, r)
      const response = await first.libp2p.services.presence.subscribe(p.peerId, { duration: 600 })
      assert.equal(response.status, 'success', response.reason)
      transactionId = response.transactionId
    } finally {
      await first.stop()
    }

    const w = await start({ home: home.path, bootstrap: [bootstrapAddress(r)] })
    const seen = notifies(w)
    const subscriptions = w.libp2p.services.presence.subscriptions()
    assert.equal(subscriptions.length, 1)
    assert.ok(subscriptions[0].target.equals(p.peerId))
    assert.equal(subscriptions[0].transactionId, transactionId)

    // give it a moment to find the mesh, as a user would not publish the same millisecond
    await waitFor(() => w.libp2p.getConnections().length > 0, 5_000, 'a connection after the restart')
    const t0 = Date.now()
    const record = await p.libp2p.services.presence.publish({ availability: 'do-not-disturb', note: { text: 'after restart' } })
    const event = await notified(seen, p.peerId, e => e.record?.seq === record.seq, 10_000, 'the change after the restart')
    console.log(`      change → notify after the watcher's restart: ${event.at - t0} ms`)
    assert.equal(event.transactionId, transactionId)
    assert.equal(event.record?.availability, 'do-not-disturb')
  })

  it('shows a presentity that vanished without a goodbye as closed within willGrace', async function () {
    this.timeout(30_000)
    const willGrace = 1_000
    const presence = { willGrace, publishOnStart: false }
    const key = await generateKeyPair('Ed25519')
    // P leaves its will with R (the DHT server it dialled): the watchers learn of P's end from R's push
    const [r, p, w1, w2] = await Promise.all([start({ presence }), start({ presence, privateKey: key }), start({ presence }), start({ presence })])
    await connect(p, r)
    await connect(w1, r)
    await connect(w2, r)
    await p.libp2p.services.presence.publish({ basic: 'open' })
    const seen = [notifies(w1), notifies(w2)]
    for (const w of [w1, w2]) {
      const response = await w.libp2p.services.presence.subscribe(p.peerId, { duration: 120 })
      assert.equal(response.status, 'success', response.reason)
    }
    await Promise.all(seen.map(async (s, i) => notified(s, p.peerId, e => e.record?.basic === 'open', 5_000, `open at W${i + 1}`)))
    // R must hold P's will, with the list of its watchers, before P dies: the list goes out at most
    // every 2 s (will-holders.ts), so wait until R's copy names both watchers
    const held = (r.libp2p.services.presence as unknown as { wills: { held: Map<string, { watchers: PeerId[] }> } }).wills.held
    await waitFor(() => [w1, w2].every(w => held.get(p.peerId.toString())?.watchers.some(id => id.equals(w.peerId))), 5_000, 'R holding P\'s will for both watchers')

    // P dies: no goodbye, connections cut abruptly
    const service = p.libp2p.services.presence as unknown as { beforeStop(): Promise<void> }
    service.beforeStop = async () => {}
    const t0 = Date.now()
    await Promise.all(p.libp2p.getConnections().map(c => { c.abort(new Error('gone')) }))
    await p.stop()

    const closed = await Promise.all(seen.map(async (s, i) => notified(s, p.peerId, e => e.record?.basic === 'closed', willGrace + 5_000, `closed at W${i + 1}`)))
    console.log(`      vanish → closed notify (ms): ${closed.map(e => e.at - t0).join(', ')} (willGrace ${willGrace})`)
  })
})
