/**
 * The presentity's watchers on their own, on a fake clock: requests come on
 * in-memory streams to the registered handler, access control answers
 * "grant" unless a test says otherwise, and the registry's datastore is in
 * memory. Grants, expiry, the bound on watchers and cancelling are checked
 * over minutes of fake time in milliseconds.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pbStream, streamPair } from '@libp2p/utils'
import { MemoryDatastore } from 'datastore-core'
import { SubscribeRequest, SubscribeResponse } from '../../../src/presence/pb/protocol.js'
import { Watchers, type WatchersComponents } from '../../../src/presence/watchers.js'
import { fakeClock, type FakeClock } from '../fake-clock.js'
import type { Decision } from '../../../src/presence/access/policy.js'
import type { PeerId, Stream, StreamHandler } from '@libp2p/interface'

const log = defaultLogger().forComponent('test:watchers')

async function newPeer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

interface Harness {
  watchers: Watchers
  datastore: MemoryDatastore
  changes: string[]
  /** The access decision per peer (default: grant the public view) */
  decisions: Map<string, Decision>
  ruled: Set<string>
  /** Send a subscribe request from `peer` and read the response */
  request(peer: PeerId, duration: number, transactionId?: string): Promise<SubscribeResponse>
}

async function harness (clock: FakeClock, datastore = new MemoryDatastore()): Promise<Harness> {
  let handler: StreamHandler | undefined
  const changes: string[] = []
  const decisions = new Map<string, Decision>()
  const ruled = new Set<string>()
  const components = {
    datastore,
    registrar: { handle: async (_protocol: string, h: StreamHandler) => { handler = h }, unhandle: async () => {} },
    connectionManager: {}
  } as unknown as WatchersComponents
  const watchers = new Watchers(components, {
    maxDuration: 600,
    maxWatchers: 3,
    hasRule: peer => ruled.has(peer.toString()),
    currentRecord: () => Uint8Array.from([1, 2, 3]),
    answer: async peer => ({ decision: decisions.get(peer.toString()) ?? { kind: 'grant' }, newRequest: false }),
    onChange: (event, watcher) => { changes.push(`${event} ${watcher.peerId.toString()}`) },
    onRequest: () => {}
  }, log)
  await clock.until(watchers.start())
  const request = async (peer: PeerId, duration: number, transactionId = 'tx'): Promise<SubscribeResponse> => clock.until((async () => {
    const [outbound, inbound]: Stream[] = await streamPair()
    void handler!(inbound, { remotePeer: peer } as any)
    const pb = pbStream(outbound)
    await pb.write({ transactionId, duration }, SubscribeRequest)
    const response = await pb.read(SubscribeResponse)
    await outbound.close()
    return response
  })())
  return { watchers, datastore, changes, decisions, ruled, request }
}

describe('unit: watchers on a fake clock', () => {
  let clock: FakeClock
  let h: Harness | undefined
  beforeEach(() => { clock = fakeClock() })
  afterEach(async () => {
    await h?.watchers.stop()
    h = undefined
    clock.restore()
  })

  it('grants at most maxDuration, sends the current record, and forgets a watcher that does not renew', async () => {
    h = await harness(clock)
    const w = await newPeer()
    const response = await h.request(w, 3600)
    assert.equal(response.status, SubscribeResponse.Status.STATUS_OK)
    assert.equal(response.duration, 600)
    assert.deepEqual(response.record, Uint8Array.from([1, 2, 3]))
    assert.deepEqual(h.changes, [`added ${w.toString()}`])
    // a renewal keeps it past its first grant
    await clock.advance(500_000, 5_000)
    assert.equal((await h.request(w, 3600)).duration, 600)
    await clock.advance(500_000, 5_000)
    assert.deepEqual(h.changes.slice(1), [`renewed ${w.toString()}`])
    // then it stops renewing: gone within the 5 s sweep after its grant ends
    await clock.advance(105_000, 5_000)
    assert.deepEqual(h.changes.slice(2), [`expired ${w.toString()}`])
    assert.deepEqual(h.watchers.list(), [])
  })

  it('refuses a stranger beyond maxWatchers, but not a watcher the user made a rule for', async () => {
    h = await harness(clock)
    const peers = await Promise.all(Array.from({ length: 5 }, newPeer))
    for (const p of peers.slice(0, 3)) assert.equal((await h.request(p, 60)).status, SubscribeResponse.Status.STATUS_OK)
    const refused = await h.request(peers[3], 60)
    assert.equal(refused.status, SubscribeResponse.Status.STATUS_REFUSED)
    assert.match(refused.reason, /too many watchers/)
    h.ruled.add(peers[4].toString())
    assert.equal((await h.request(peers[4], 60)).status, SubscribeResponse.Status.STATUS_OK)
    // a watcher already kept renews whatever the count
    assert.equal((await h.request(peers[0], 60)).status, SubscribeResponse.Status.STATUS_OK)
    assert.equal(h.watchers.list().length, 4)
  })

  it('duration 0 cancels; a refusal ends a subscription; a bad transaction id fails', async () => {
    h = await harness(clock)
    const [a, b] = await Promise.all([newPeer(), newPeer()])
    await h.request(a, 60)
    await h.request(b, 60)
    const poll = await h.request(a, 0)
    assert.deepEqual([poll.status, poll.duration], [SubscribeResponse.Status.STATUS_OK, 0])
    assert.equal(h.watchers.get(a), undefined)
    h.decisions.set(b.toString(), { kind: 'refuse' })
    assert.equal((await h.request(b, 60)).status, SubscribeResponse.Status.STATUS_REFUSED)
    assert.equal(h.watchers.get(b), undefined)
    assert.deepEqual(h.changes.filter(c => c.startsWith('cancelled')).length, 2)
    const bad = await h.request(a, 60, 'has space')
    assert.equal(bad.status, SubscribeResponse.Status.STATUS_FAILED)
  })

  it('keeps its watchers across a restart; one whose grant ran out meanwhile is handed over as lapsed', async () => {
    const datastore = new MemoryDatastore()
    const first = await harness(clock, datastore)
    const [short, long] = await Promise.all([newPeer(), newPeer()])
    await first.request(short, 30)
    await first.request(long, 600)
    await clock.until(first.watchers.stop())
    await clock.advance(60_000, 10_000)
    h = await harness(clock, datastore)
    assert.deepEqual(h.watchers.list().map(w => w.peerId.toString()), [long.toString()])
    assert.deepEqual(h.watchers.takeLapsed().map(p => p.toString()), [short.toString()])
    assert.deepEqual(h.watchers.takeLapsed(), [], 'handed over once')
  })
})
