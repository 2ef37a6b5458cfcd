/**
 * Presence access control on real nodes on loopback: for every rule, what
 * the watcher sees — while the presentity is online, after it changes,
 * after a revocation and while it is offline — and that the node in the
 * middle, which stores the DHT records and holds the wills, holds no
 * plaintext of a private view.
 */
import assert from 'node:assert/strict'
import { connect, nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import { presenceKey } from '../../src/presence/protocol.js'
import type { CreateNodeOptions, PresenceMeshNode } from '../../src/node/create-node.js'
import type { NotifyEvent } from '../../src/presence/index.js'
import type { PeerId } from '@libp2p/interface'

const quiet = { presence: { publishOnStart: false } }

function notifies (node: PresenceMeshNode): NotifyEvent[] {
  const seen: NotifyEvent[] = []
  node.libp2p.services.presence.addEventListener('notify', event => { seen.push(event.detail) })
  return seen
}

function ended (node: PresenceMeshNode): string[] {
  const reasons: string[] = []
  node.libp2p.services.presence.addEventListener('subscription:end', event => { reasons.push(event.detail.reason) })
  return reasons
}

async function lastNotify (seen: NotifyEvent[], target: PeerId, match: (event: NotifyEvent) => boolean, what: string): Promise<NotifyEvent> {
  return waitFor(() => [...seen].reverse().find(event => event.target.equals(target) && match(event)), 10_000, what)
}

/** Every value a node's datastore holds, searched for a string */
async function datastoreHolds (node: PresenceMeshNode, text: string): Promise<boolean> {
  const needle = Buffer.from(text)
  for await (const { value } of node.datastore.query({})) {
    if (Buffer.from(value).includes(needle)) return true
  }
  return false
}

describe('presence access control', function () {
  this.timeout(60_000)
  const nodes = nodesPerTest()
  const start = async (options: CreateNodeOptions = quiet): Promise<PresenceMeshNode> => nodes.start(options)

  /** Presentity P and `count` watchers, all connected only to hub H */
  async function star (count: number): Promise<{ h: PresenceMeshNode, p: PresenceMeshNode, watchers: PresenceMeshNode[] }> {
    const h = await start()
    const p = await start({})
    const watchers = await Promise.all(Array.from({ length: count }, async () => start()))
    await Promise.all([p, ...watchers].map(async node => connect(node, h)))
    return { h, p, watchers }
  }

  it('shows each watcher what its rule says, online and offline, and the hub holds no private plaintext', async () => {
    const { h, p, watchers: [full, availability, blocked, stranger] } = await star(4)
    const presence = p.libp2p.services.presence
    await presence.setDefaultPolicy('deny')
    await presence.allow(full.peerId, 'full')
    await presence.allow(availability.peerId, 'availability')
    await presence.block(blocked.peerId)
    await presence.publish({ availability: 'busy', note: { text: 'private-note-one' }, contact: { emails: ['p@example.org'], phones: [] } })

    const seen = new Map([full, availability, blocked, stranger].map(node => [node, notifies(node)]))
    const results = new Map<PresenceMeshNode, Awaited<ReturnType<typeof presence.subscribe>>>()
    for (const watcher of [full, availability, blocked, stranger]) {
      results.set(watcher, await watcher.libp2p.services.presence.subscribe(p.peerId, { duration: 60 }))
    }

    const granted = results.get(full)!
    assert.equal(granted.status, 'success')
    assert.equal(granted.access, 'granted')
    assert.equal(granted.record?.availability, 'busy')
    assert.equal(granted.record?.note?.text, 'private-note-one')
    assert.deepEqual(granted.record?.contact.emails, ['p@example.org'])

    const reduced = results.get(availability)!
    assert.equal(reduced.status, 'success')
    assert.equal(reduced.record?.basic, 'open')
    assert.equal(reduced.record?.availability, 'busy')
    assert.equal(reduced.record?.note, undefined)
    assert.deepEqual(reduced.record?.contact.emails, [])

    // politely blocked: the answer has the shape of a granted one, and says closed
    const polite = results.get(blocked)!
    assert.equal(polite.status, 'success')
    assert.equal(polite.access, 'granted')
    assert.ok(polite.duration > 0)
    assert.equal(polite.record?.basic, 'closed')
    assert.equal(polite.record?.note, undefined)
    assert.equal(blocked.libp2p.services.presence.subscriptions().length, 1)

    const refused = results.get(stranger)!
    assert.equal(refused.status, 'failure')
    assert.equal(refused.reason, 'refused')
    assert.equal(refused.record?.note, undefined)
    assert.deepEqual(presence.watchers().map(w => w.peerId.toString()).sort(), [full, availability, blocked].map(n => n.peerId.toString()).sort())

    // a change reaches each as its view
    await presence.publish({ availability: 'away', note: { text: 'private-note-two' } })
    await lastNotify(seen.get(full)!, p.peerId, e => e.record?.note?.text === 'private-note-two' && e.record.availability === 'away', 'the full view of the change')
    await lastNotify(seen.get(availability)!, p.peerId, e => e.record?.availability === 'away', 'the availability view of the change')
    await lastNotify(seen.get(blocked)!, p.peerId, e => e.record?.seq === presence.current?.seq, 'the blocked watcher\'s notify of the change')
    assert.ok(seen.get(availability)!.every(e => e.record?.note == null), 'the availability view showed a note')
    assert.ok(seen.get(blocked)!.every(e => e.record?.basic === 'closed' && e.record.note == null), 'the blocked watcher saw more than closed')
    assert.ok(seen.get(stranger)!.every(e => e.record?.note == null && e.record?.basic !== 'open'), 'the stranger saw the presentity\'s state')

    // the hub stores P's record and holds its will, yet holds none of the private text
    await waitFor(async () => dhtHoldsRecordOf(h, p.peerId), 10_000, 'P\'s record stored at the hub')
    for (const secret of ['private-note-one', 'private-note-two', 'p@example.org']) {
      assert.equal(await datastoreHolds(h, secret), false, `the hub holds "${secret}"`)
    }

    // offline: P leaves; each watcher reads the DHT and sees its own view of the goodbye
    await p.stop()
    nodes.stopped(p)
    const offlineFull = await full.libp2p.services.presence.lookup(p.peerId)
    assert.equal(offlineFull.access, 'granted')
    assert.equal(offlineFull.record.basic, 'closed')
    assert.equal(offlineFull.record.note?.text, 'private-note-two')
    const offlineAvailability = await availability.libp2p.services.presence.lookup(p.peerId)
    assert.equal(offlineAvailability.record.note, undefined)
    assert.equal((await blocked.libp2p.services.presence.lookup(p.peerId)).record.basic, 'closed')
    await assert.rejects(stranger.libp2p.services.presence.fetch(p.peerId), { name: 'AccessRefusedError' })
    const newcomer = await start()
    await connect(newcomer, h)
    const anonymous = await newcomer.libp2p.services.presence.lookup(p.peerId)
    assert.equal(anonymous.access, 'restricted')
    assert.equal(anonymous.record.note, undefined)
    assert.deepEqual(anonymous.record.contact.emails, [])
  })

  it('a revoked watcher is told, and cannot read what is published after, even from the DHT', async () => {
    const { p, watchers: [kept, revoked] } = await star(2)
    const presence = p.libp2p.services.presence
    await presence.setDefaultPolicy('ask')
    await presence.allow(kept.peerId)
    await presence.allow(revoked.peerId)
    await presence.publish({ note: { text: 'before-revocation' } })
    const keptSeen = notifies(kept)
    const endings = ended(revoked)
    for (const watcher of [kept, revoked]) {
      const result = await watcher.libp2p.services.presence.subscribe(p.peerId, { duration: 60 })
      assert.equal(result.record?.note?.text, 'before-revocation')
    }

    await presence.revoke(revoked.peerId)
    await waitFor(() => endings.includes('cancelled'), 10_000, 'the revoked watcher told of the cancel')
    assert.equal(presence.watchers().some(w => w.peerId.equals(revoked.peerId)), false)

    await presence.publish({ note: { text: 'after-revocation' } })
    // the kept watcher fetches the rotated key by itself and sees the change
    await lastNotify(keptSeen, p.peerId, e => e.record?.note?.text === 'after-revocation', 'the kept watcher seeing the change')

    // with P gone nobody can hand out keys: the revoked watcher's old key opens nothing new
    await p.stop()
    nodes.stopped(p)
    const afterwards = await revoked.libp2p.services.presence.lookup(p.peerId)
    assert.notEqual(afterwards.access, 'granted')
    assert.equal(afterwards.record.note, undefined)
    const stillGranted = await kept.libp2p.services.presence.lookup(p.peerId)
    assert.equal(stillGranted.record.note?.text, 'after-revocation')
  })

  it('asks the user: the request waits, is listed and announced, then approval or denial reaches the watcher', async () => {
    const { p, watchers: [approved, denied] } = await star(2)
    const presence = p.libp2p.services.presence
    await presence.setDefaultPolicy('ask')
    await presence.publish({ availability: 'busy', note: { text: 'for friends' } })
    const requests: string[] = []
    presence.addEventListener('request', event => { requests.push(event.detail.peerId.toString()) })
    const approvedSeen = notifies(approved)
    const deniedEnds = ended(denied)

    for (const watcher of [approved, denied]) {
      const result = await watcher.libp2p.services.presence.subscribe(p.peerId, { duration: 60 })
      assert.equal(result.status, 'pending')
      assert.equal(result.record?.note, undefined)
      assert.equal(watcher.libp2p.services.presence.subscriptions().length, 1, 'a pending subscription is kept')
      assert.equal(watcher.libp2p.services.presence.subscriptions()[0].awaitingApproval, true, 'the watcher knows it awaits approval')
    }
    assert.deepEqual(requests.sort(), [approved, denied].map(n => n.peerId.toString()).sort())
    assert.deepEqual(Object.keys(presence.policy().pending).sort(), requests)
    assert.equal(presence.watchers().length, 0)

    await presence.allow(approved.peerId, 'full')
    await lastNotify(approvedSeen, p.peerId, e => e.access === 'granted' && e.record?.note?.text === 'for friends', 'the approved watcher seeing P')
    await waitFor(() => presence.watchers().some(w => w.peerId.equals(approved.peerId)), 10_000, 'the approved watcher registered')
    assert.equal(approved.libp2p.services.presence.subscriptions()[0].awaitingApproval, false)

    await presence.deny(denied.peerId)
    await waitFor(() => deniedEnds.includes('refused'), 10_000, 'the denied watcher told it is refused')
    assert.deepEqual(presence.policy().pending, {})
    await assert.rejects(denied.libp2p.services.presence.fetch(p.peerId), { name: 'AccessRefusedError' })
  })

  it('with the default public, anyone sees everything and only a politely blocked watcher sees closed', async () => {
    const { p, watchers: [blocked, stranger] } = await star(2)
    const presence = p.libp2p.services.presence
    await presence.block(blocked.peerId)
    await presence.publish({ availability: 'available', note: { text: 'hello world' } })
    const open = await stranger.libp2p.services.presence.subscribe(p.peerId, { duration: 60 })
    assert.equal(open.access, 'public')
    assert.equal(open.record?.note?.text, 'hello world')
    const polite = await blocked.libp2p.services.presence.subscribe(p.peerId, { duration: 60 })
    assert.equal(polite.status, 'success')
    assert.equal(polite.record?.basic, 'closed')
    assert.equal((await blocked.libp2p.services.presence.fetch(p.peerId)).basic, 'closed')

    // lifting the block shows the public view again
    await presence.revoke(blocked.peerId)
    await waitFor(async () => (await blocked.libp2p.services.presence.lookup(p.peerId)).access === 'public', 10_000, 'the public view after unblocking')
  })

  it('keeps at most maxWatchers watchers: a stranger beyond is refused, a watcher the user chose is not', async () => {
    const h = await start()
    const p = await start({ presence: { maxWatchers: 2 } })
    const [first, second, third, friend] = await Promise.all(Array.from({ length: 4 }, async () => start()))
    await Promise.all([p, first, second, third, friend].map(async node => connect(node, h)))
    const presence = p.libp2p.services.presence
    await presence.allow(friend.peerId, 'full')
    for (const watcher of [first, second]) {
      assert.equal((await watcher.libp2p.services.presence.subscribe(p.peerId, { duration: 60 })).status, 'success')
    }
    const refused = await third.libp2p.services.presence.subscribe(p.peerId, { duration: 60 })
    assert.equal(refused.status, 'failure')
    assert.match(refused.reason ?? '', /too many watchers/)
    // the user's own decision is honoured whatever the count, and a watcher already listed renews
    assert.equal((await friend.libp2p.services.presence.subscribe(p.peerId, { duration: 60 })).status, 'success')
    assert.deepEqual(presence.watchers().map(w => w.peerId.toString()).sort(), [first, second, friend].map(n => n.peerId.toString()).sort())
    // room again once watchers leave (the friend still counts)
    await first.libp2p.services.presence.unsubscribe(p.peerId)
    await second.libp2p.services.presence.unsubscribe(p.peerId)
    await waitFor(() => presence.watchers().length === 1, 10_000, 'the cancelled watchers gone')
    assert.equal((await third.libp2p.services.presence.subscribe(p.peerId, { duration: 60 })).status, 'success')
  })
})

/** Whether a node stores a DHT record under the presentity's presence key (the record names its key) */
async function dhtHoldsRecordOf (node: PresenceMeshNode, presentity: PeerId): Promise<boolean> {
  const key = Buffer.from(presenceKey(presentity))
  for await (const { value } of node.datastore.query({ prefix: '/dht/record' })) {
    if (Buffer.from(value).includes(key)) return true
  }
  return false
}

describe('presence delegation on a mesh', function () {
  this.timeout(60_000)
  const { start } = nodesPerTest()

  it('a delegate publishes for the presentity, watchers see it, and the presentity takes it as its own', async () => {
    const h = await start(quiet)
    const [p, d, w, other] = await Promise.all([start({}), start(quiet), start(quiet), start(quiet)])
    await Promise.all([p, d, w, other].map(async node => connect(node, h)))
    const presence = p.libp2p.services.presence
    const delegation = await presence.delegate(d.peerId, Date.now() + 60 * 60_000)
    const seen = notifies(w)
    assert.equal((await w.libp2p.services.presence.subscribe(p.peerId, { duration: 60 })).status, 'success')

    const published = await d.libp2p.services.presence.publishFor(p.peerId, delegation, { availability: 'away', note: { text: 'from my phone' } })
    await lastNotify(seen, p.peerId, e => e.record?.note?.text === 'from my phone' && e.record.availability === 'away', 'the delegate\'s change at the watcher')
    // P re-signs it as its own (with a will to match), above the delegate's sequence number
    await waitFor(() => presence.current?.note?.text === 'from my phone' && presence.current.seq > published.seq, 10_000, 'P adopting the change')

    await assert.rejects(other.libp2p.services.presence.publishFor(p.peerId, delegation, { availability: 'busy' }), { name: 'UnauthorizedSignerError' })
    // a delegate cannot seal views, so a presentity that hides anything cannot delegate
    await presence.setDefaultPolicy('ask')
    await assert.rejects(presence.delegate(d.peerId, Date.now() + 60_000), { name: 'InvalidPolicyError' })
  })
})
