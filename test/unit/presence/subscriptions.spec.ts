/**
 * The watcher's subscriptions on their own, on a fake clock: in-memory
 * datastore, in-memory streams to a stand-in presentity that grants what it
 * is asked, and no libp2p node. What the schedule does over minutes and
 * months is checked here in milliseconds; test/presence/service.spec.ts
 * keeps the same behaviour end to end over real nodes.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pbStream, streamPair } from '@libp2p/utils'
import { MemoryDatastore } from 'datastore-core'
import { TypedEventEmitter } from 'main-event'
import { Keyring } from '../../../src/presence/access/keyring.js'
import { LookupUnansweredError } from '../../../src/presence/errors.js'
import { SubscribeRequest, SubscribeResponse } from '../../../src/presence/pb/protocol.js'
import { Subscriptions } from '../../../src/presence/subscriptions.js'
import type { EndReason, SubscriptionsComponents } from '../../../src/presence/subscription-types.js'
import { PresenceValidation } from '../../../src/presence/push-verdicts.js'
import { fakeClock, type FakeClock } from '../fake-clock.js'
import type { PresenceRecord } from '../../../src/presence/record.js'
import type { PeerId, Stream } from '@libp2p/interface'

const DAY_S = 24 * 3600
const log = defaultLogger().forComponent('test:subscriptions')

async function keysOf (datastore: MemoryDatastore): Promise<string[]> {
  const keys: string[] = []
  for await (const key of datastore.queryKeys({})) keys.push(key.toString())
  return keys
}

async function newPeer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

interface Harness {
  subs: Subscriptions
  datastore: MemoryDatastore
  /** Durations asked of each presentity, in order */
  asked: Map<string, number[]>
  /** Lookups (fetch) of each presentity, by fake time */
  lookups: Map<string, number[]>
  ended: Array<{ target: PeerId, reason: EndReason }>
}

interface HarnessOptions {
  /** Presentities connected to us (reachable); the others are offline and never answer */
  online?: PeerId[]
  /** Seconds the presentities grant at most */
  maxGrant?: number
  datastore?: MemoryDatastore
  /**
   * What a lookup of an offline presentity does: `times-out` waits for the
   * caller's deadline (a presentity missed), `nothing` ends at once with no
   * record (the DHT answered: it is away), `unanswered` fails at once as a
   * lookup that no DHT peer answered does (refused, failed). Default: nothing
   */
  lookup?: 'times-out' | 'nothing' | 'unanswered'
  /** Each notify's record, as the user of the service sees it */
  notified?: Array<PresenceRecord | undefined>
}

/** A presentity's side of one subscribe stream: grants what is asked, up to `maxGrant` */
async function answer (stream: Stream, maxGrant: number, asked: number[]): Promise<void> {
  const pb = pbStream(stream)
  const request = await pb.read(SubscribeRequest)
  asked.push(request.duration)
  await pb.write({ status: SubscribeResponse.Status.STATUS_OK, transactionId: request.transactionId, duration: Math.min(request.duration, maxGrant), reason: '' }, SubscribeResponse)
  await stream.close()
}

function harness (options: HarnessOptions = {}): Harness {
  const online = options.online ?? []
  const isOnline = (peer: PeerId): boolean => online.some(p => p.equals(peer))
  const asked = new Map<string, number[]>()
  const lookups = new Map<string, number[]>()
  const ended: Harness['ended'] = []
  const datastore = options.datastore ?? new MemoryDatastore()
  /** An open connection to an online presentity: each stream on it reaches the stand-in's answer */
  const connectionTo = (peer: PeerId): unknown => ({
    remotePeer: peer,
    status: 'open',
    newStream: async () => {
      const [outbound, inbound] = await streamPair()
      const list = asked.get(peer.toString()) ?? []
      asked.set(peer.toString(), list)
      answer(inbound, options.maxGrant ?? 3600, list).catch(err => { inbound.abort(err) })
      return outbound
    }
  })
  const components = {
    datastore,
    peerStore: { merge: async () => {} },
    registrar: { handle: async () => {}, unhandle: async () => {} },
    events: new TypedEventEmitter(),
    connectionManager: {
      getConnections: (peer?: PeerId) => peer != null && isOnline(peer) ? [connectionTo(peer)] : [],
      openConnection: async (peer: PeerId) => {
        if (!isOnline(peer)) throw new Error(`dialled ${peer.toString()}, which is offline`)
        return connectionTo(peer)
      }
    }
  } as unknown as SubscriptionsComponents
  const subs = new Subscriptions(components, {
    maxDuration: 365 * DAY_S,
    fetch: async (target, signal) => {
      lookups.set(target.toString(), [...lookups.get(target.toString()) ?? [], Date.now()])
      if (options.lookup === 'times-out') await new Promise(resolve => { signal.addEventListener('abort', resolve, { once: true }) })
      if (options.lookup === 'unanswered') throw new LookupUnansweredError('no DHT peer answered')
      return undefined
    },
    notify: (_subscription, record) => { options.notified?.push(record) },
    ended: (subscription, reason) => { ended.push({ target: subscription.target, reason }) },
    exchanged: () => {}
  }, new PresenceValidation(), new Keyring(datastore, log), log)
  return { subs, datastore, asked, lookups, ended }
}

describe('unit: subscriptions on a fake clock', () => {
  let clock: FakeClock
  let h: Harness | undefined
  beforeEach(() => { clock = fakeClock() })
  afterEach(async () => {
    await h?.subs.stop()
    h = undefined
    clock.restore()
  })

  it('looks up again after a minute (±20 %), then twice as long each time, a presentity whose lookups time out, and never dials it', async () => {
    const targets = await Promise.all(Array.from({ length: 20 }, newPeer))
    h = harness({ lookup: 'times-out' })
    await clock.until(h.subs.start())
    const subscribing = Promise.all(targets.map(async t => h!.subs.subscribe(t, 3600)))
    await clock.advance(5_000)
    const t0 = Date.now()
    const results = await clock.until(subscribing)
    assert.deepEqual(results.map(r => r.status), results.map(() => 'success'))
    const counts = (): number[] => targets.map(t => h!.lookups.get(t.toString())?.length ?? 0)
    assert.deepEqual(counts(), targets.map(() => 1), 'one lookup each at subscribe')

    // nothing in the first 48 s: an offline contact costs nothing on a timer
    await clock.advance(48_000 - 1)
    assert.deepEqual(counts(), targets.map(() => 1), 'no lookup within 48 s')
    await clock.advance(72_000 - 48_000 + 1)
    assert.deepEqual(counts(), targets.map(() => 2), 'one more lookup each by 72 s')
    // the next wait is 2 min ±20 %: from 96 s to 144 s after the second look
    const second = targets.map(t => h!.lookups.get(t.toString())![1])
    await clock.advance(Math.min(...second) + 96_000 - 1 - Date.now())
    assert.deepEqual(counts(), targets.map(() => 2), 'no third lookup within 96 s of the second')
    // each lookup takes its 5 s deadline before the next wait starts
    await clock.advance(Math.max(...second) + 5_000 + 144_000 + 1 - Date.now())
    assert.deepEqual(counts(), targets.map(() => 3), 'a third lookup each within 144 s of the second')
    assert.ok(Date.now() - t0 < 5 * 60_000)
    assert.equal(h.asked.size, 0, 'no presentity was dialled')
  })

  it('looks up a presentity the DHT answered for (away, or no record) after 15 minutes (±20 %), then 30, not every minute', async () => {
    const targets = await Promise.all(Array.from({ length: 20 }, newPeer))
    h = harness({ lookup: 'nothing' })
    await clock.until(h.subs.start())
    await clock.until(Promise.all(targets.map(async t => h!.subs.subscribe(t, 3600))))
    const counts = (): number[] => targets.map(t => h!.lookups.get(t.toString())?.length ?? 0)
    assert.deepEqual(counts(), targets.map(() => 1), 'one lookup each at subscribe')
    await clock.advance(12 * 60_000 - 1, 10_000)
    assert.deepEqual(counts(), targets.map(() => 1), 'no lookup within 12 minutes: the idle cost of offline contacts')
    await clock.advance(6 * 60_000 + 2, 10_000)
    assert.deepEqual(counts(), targets.map(() => 2), 'one more each by 18 minutes')
    const second = targets.map(t => h!.lookups.get(t.toString())![1])
    await clock.advance(Math.min(...second) + 24 * 60_000 - 1 - Date.now(), 10_000)
    assert.deepEqual(counts(), targets.map(() => 2), 'the next wait is 30 minutes ±20 %')
    await clock.advance(Math.max(...second) + 36 * 60_000 + 1 - Date.now(), 10_000)
    assert.deepEqual(counts(), targets.map(() => 3))
    assert.equal(h.asked.size, 0, 'no presentity was dialled')
  })

  it('looks up again after a minute, not 15, when no DHT peer answered the lookup (its relay restarting, streams refused)', async () => {
    const targets = await Promise.all(Array.from({ length: 10 }, newPeer))
    h = harness({ lookup: 'unanswered' })
    await clock.until(h.subs.start())
    const results = await clock.until(Promise.all(targets.map(async t => h!.subs.subscribe(t, 3600))))
    assert.deepEqual(results.map(r => r.status), results.map(() => 'success'), 'a subscription that waits for its presentity')
    const counts = (): number[] => targets.map(t => h!.lookups.get(t.toString())?.length ?? 0)
    assert.deepEqual(counts(), targets.map(() => 1))
    await clock.advance(72_000 + 1, 1_000)
    assert.deepEqual(counts(), targets.map(() => 2), 'one more lookup each by 72 s')
    await clock.advance(144_000 + 1, 1_000)
    assert.deepEqual(counts(), targets.map(() => 3), 'and again within 2 minutes ±20 %, as after a lookup that timed out')
  })

  it('renews at 80 % of the grant, asking for what is left of the subscription', async () => {
    const target = await newPeer()
    h = harness({ online: [target], maxGrant: 100 })
    await clock.until(h.subs.start())
    const result = await clock.until(h.subs.subscribe(target, 3600))
    assert.equal(result.status, 'success')
    assert.equal(result.duration, 100)
    assert.deepEqual(h.asked.get(target.toString()), [3600])
    await clock.advance(80_000 - 500, 500)
    assert.deepEqual(h.asked.get(target.toString()), [3600], 'no renewal before 80 s')
    await clock.advance(1_000, 500)
    assert.deepEqual(h.asked.get(target.toString()), [3600, 3520], 'renewed at 80 s for the 3520 s left')
    assert.ok(h.subs.get(target)!.grantedUntil > Date.now() + 99_000)
  })

  it('renews a grant longer than setTimeout\'s 24.8 days once, at 80 % of it (48 of 60 days), not in a loop', async () => {
    const target = await newPeer()
    h = harness({ online: [target], maxGrant: 60 * DAY_S })
    await clock.until(h.subs.start())
    const result = await clock.until(h.subs.subscribe(target, 60 * DAY_S))
    assert.equal(result.duration, 60 * DAY_S)
    const hour = 3_600_000
    await clock.advance(48 * 24 * hour - hour, hour)
    assert.deepEqual(h.asked.get(target.toString()), [60 * DAY_S], 'no renewal in the first 48 days less an hour')
    await clock.advance(2 * hour, hour)
    // renewed at 48 days (not at about 53, as when 80 % was taken again of what was left at each timer hop), for the 12 days left
    assert.deepEqual(h.asked.get(target.toString()), [60 * DAY_S, 12 * DAY_S])
    // the next at 80 % of that 12-day grant (57.6 days), none in a loop before
    await clock.advance(9 * 24 * hour - hour, hour)
    assert.equal(h.asked.get(target.toString())?.length, 2, 'one renewal in 57 days')
    assert.equal(h.ended.length, 0)
  })

  it('ends a subscription when its duration is over, and forgets it', async () => {
    const target = await newPeer()
    h = harness({ online: [target] })
    await clock.until(h.subs.start())
    const result = await clock.until(h.subs.subscribe(target, 2))
    assert.equal(result.status, 'success')
    await clock.advance(1_900, 100)
    assert.equal(h.ended.length, 0)
    await clock.advance(200, 100)
    assert.deepEqual(h.ended.map(e => e.reason), ['expired'])
    assert.deepEqual(h.subs.list(), [])
    assert.deepEqual(await clock.until(keysOf(h.datastore)), [], 'nothing left in the datastore')
  })

  it('resumes a persisted subscription after a restart and renews it at once; a lapsed one is dropped', async () => {
    const [kept, lapsed] = await Promise.all([newPeer(), newPeer()])
    const datastore = new MemoryDatastore()
    const first = harness({ online: [kept, lapsed], datastore })
    await clock.until(first.subs.start())
    const original = await clock.until(first.subs.subscribe(kept, 3600))
    const short = await clock.until(first.subs.subscribe(lapsed, 60))
    await clock.until(first.subs.stop())

    await clock.advance(120_000, 10_000)
    h = harness({ online: [kept, lapsed], datastore })
    await clock.until(h.subs.start())
    await clock.settle()
    assert.deepEqual(h.subs.list().map(s => s.target.toString()), [kept.toString()])
    assert.equal(h.subs.get(kept)?.transactionId, original.transactionId, 'the same transaction')
    assert.deepEqual(h.asked.get(kept.toString()), [3600 - 120], 'renewed on start for what is left')
    assert.equal(h.asked.get(lapsed.toString()), undefined, `the lapsed subscription ${short.transactionId} was not renewed`)
    assert.equal((await clock.until(keysOf(datastore))).length, 1)
  })
  it('never rolls a watcher back: an older record that finishes a detour after a newer one was shown is not shown', async () => {
    const target = await newPeer()
    const notified: Array<PresenceRecord | undefined> = []
    h = harness({ online: [target], notified })
    await clock.until(h.subs.subscribe(target, 3600))
    const record = (seq: bigint, note: string): PresenceRecord => ({
      presentity: target, basic: 'open', availability: 'available', note: { text: note }, contact: { emails: [], phones: [] }, addresses: [], seq, issuedAt: Date.now(), expiresAt: Date.now() + 3600_000, extensions: []
    })
    // as when a renewal's answer (seq 5) comes back after a push of seq 6 was shown
    h.subs.onRecord(record(6n, 'newer'))
    h.subs.onRecord(record(5n, 'older'))
    assert.deepEqual(notified.filter(r => r != null).map(r => r.seq), [6n])
    h.subs.onRecord(record(7n, 'newest'))
    assert.deepEqual(notified.filter(r => r != null).map(r => r.note?.text), ['newer', 'newest'])
  })
})
