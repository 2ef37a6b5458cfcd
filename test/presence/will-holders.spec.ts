/**
 * WillHolders on its own, with stand-ins for libp2p's connection manager and
 * peer store: whom a presentity leaves its will with, and how often it
 * republishes when its wills are published while it lives.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { defaultLogger } from '@libp2p/logger'
import { BOOTSTRAP_TAG, DHT_PROTOCOL, RELAY_RESERVATION_TAG } from '../../src/node/constants.js'
import { WILL_PROTOCOL } from '../../src/presence/protocol.js'
import { WillHolders, type WillHoldersComponents } from '../../src/presence/will-holders.js'
import { sampleRecord } from './helpers.js'
import type { PresenceRecord } from '../../src/presence/record.js'
import type { PeerId } from '@libp2p/interface'

interface Peer { id: PeerId, tags: string[], protocols: string[], direction: 'inbound' | 'outbound' }

async function peer (tags: string[], protocols: string[], direction: 'inbound' | 'outbound' = 'inbound'): Promise<Peer> {
  return { id: peerIdFromPrivateKey(await generateKeyPair('Ed25519')), tags, protocols, direction }
}

/** A WillHolders over `peers`, all connected, whose current record is `current` */
function holdersOf (peers: Peer[], current: () => PresenceRecord, dialled = false): { holders: WillHolders, outbids: bigint[], deposits: string[], reads: string[], events: EventTarget } {
  const outbids: bigint[] = []
  const deposits: string[] = []
  const reads: string[] = []
  const events = new EventTarget()
  const find = (id: PeerId): Peer | undefined => peers.find(p => p.id.equals(id))
  const connections = (): unknown[] => peers.map((p, i) => ({ id: `c${i}`, remotePeer: p.id, direction: p.direction }))
  const components = {
    peerId: peers[0].id,
    connectionManager: {
      getConnections: (id?: PeerId) => id == null ? connections() : connections().filter((c: any) => c.remotePeer.equals(id))
    },
    peerStore: {
      get: async (id: PeerId) => {
        reads.push(id.toString())
        const p = find(id)
        if (p == null) throw new Error('not found')
        return { protocols: p.protocols, tags: new Map(p.tags.map(tag => [tag, { value: 50 }])) }
      }
    },
    dht: {},
    events
  } as unknown as WillHoldersComponents
  const holders = new WillHolders(components, {
    dialled,
    checkInterval: 0,
    current,
    will: async slot => ({ seq: current().seq + BigInt(slot), bytes: Uint8Array.from([slot]) }),
    watchers: () => [],
    deposit: async (to, will) => { deposits.push(`${to.toString()} ${will[0]}`) },
    outbid: async floor => { outbids.push(floor) }
  }, defaultLogger().forComponent('test:will-holders'))
  return { holders, outbids, deposits, reads, events }
}

describe('will holders', () => {
  let self: PeerId
  before(async () => { self = peerIdFromPrivateKey(await generateKeyPair('Ed25519')) })
  const open = (seq: bigint): PresenceRecord => ({ ...sampleRecord(self), seq })

  it('chooses bootstrap peers and reserved relays, and dialled DHT servers only without them', async () => {
    const bootstrapPeer = await peer([BOOTSTRAP_TAG], [WILL_PROTOCOL])
    const relay = await peer([RELAY_RESERVATION_TAG], [WILL_PROTOCOL])
    const stranger = await peer([], [WILL_PROTOCOL, DHT_PROTOCOL])
    const dialledServer = await peer([], [WILL_PROTOCOL, DHT_PROTOCOL], 'outbound')
    const dialledClient = await peer([], [WILL_PROTOCOL], 'outbound')
    const mute = await peer([BOOTSTRAP_TAG], [])
    const peers = [bootstrapPeer, relay, stranger, dialledServer, dialledClient, mute]
    for (const dialled of [false, true]) {
      const { holders } = holdersOf(peers, () => open(16n), dialled)
      const chosen = await Promise.all(peers.map(async p => holders.chosen(p.id)))
      assert.deepEqual(chosen, [true, true, false, dialled, false, false], `dialled: ${dialled}`)
    }
  })

  it('gives each chosen holder a will of its own', async () => {
    const peers = [await peer([BOOTSTRAP_TAG], [WILL_PROTOCOL]), await peer([BOOTSTRAP_TAG], [WILL_PROTOCOL]), await peer([], [WILL_PROTOCOL])]
    const { holders, deposits } = holdersOf(peers, () => open(32n))
    holders.start()
    holders.depositAll()
    await new Promise(resolve => setTimeout(resolve, 50))
    assert.deepEqual(deposits.sort(), [`${peers[0].id.toString()} 1`, `${peers[1].id.toString()} 2`].sort())
    holders.stop()
  })

  it('asks the peer store about a connected peer once, and again once its entry changed', async () => {
    const relay = await peer([RELAY_RESERVATION_TAG], [WILL_PROTOCOL])
    const watchers = await Promise.all(Array.from({ length: 5 }, async () => peer([], [WILL_PROTOCOL], 'outbound')))
    const peers = [relay, ...watchers]
    const { holders, deposits, reads, events } = holdersOf(peers, () => open(48n))
    const settle = async (): Promise<void> => { await new Promise(resolve => setTimeout(resolve, 50)) }
    holders.start()
    try {
      for (let change = 0; change < 3; change++) holders.depositAll()
      await settle()
      assert.equal(reads.length, peers.length, 'three changes: one read per peer')
      assert.deepEqual(new Set(deposits), new Set([`${relay.id.toString()} 1`]))
      // a watcher becomes a relay we hold a reservation on: the peer store says so, and it gets a will at the next change
      watchers[0].tags.push(RELAY_RESERVATION_TAG)
      events.dispatchEvent(new CustomEvent('peer:update', { detail: { peer: { id: watchers[0].id } } }))
      holders.depositAll()
      await settle()
      assert.equal(reads.length, peers.length + 1)
      assert.ok(deposits.includes(`${watchers[0].id.toString()} 2`), deposits.join())
      // one that leaves is forgotten: asked again when it is back
      events.dispatchEvent(new CustomEvent('peer:disconnect', { detail: watchers[1].id }))
      holders.depositAll()
      await settle()
      assert.equal(reads.length, peers.length + 2)
    } finally {
      holders.stop()
    }
  })

  it('outbids each published will once, and at most a burst of three before the rate applies', async () => {
    const peers = [await peer([BOOTSTRAP_TAG], [WILL_PROTOCOL])]
    const seq = 16n
    const { holders, outbids } = holdersOf(peers, () => open(seq))
    holders.start()
    try {
      const will = { ...open(seq + 1n), basic: 'closed' as const }
      holders.seen(will)
      holders.seen(will)
      assert.deepEqual(outbids, [17n], 'the same will twice: one republish')
      // a flood of ever newer records of ours (only our key signs them: our holders' wills)
      for (let i = 2n; i < 50n; i++) holders.seen({ ...open(seq + i), basic: 'closed' })
      assert.equal(outbids.length, 3, `${outbids.length} republishes at once`)
      // an older will, or one below a change of ours, is not outbid
      holders.seen({ ...open(5n), basic: 'closed' })
      assert.equal(outbids.length, 3)
    } finally {
      holders.stop()
    }
  })

  it('does not outbid while we are closed: the will tells the truth then', async () => {
    const peers = [await peer([BOOTSTRAP_TAG], [WILL_PROTOCOL])]
    const { holders, outbids } = holdersOf(peers, () => ({ ...open(16n), basic: 'closed' }))
    holders.start()
    holders.seen({ ...open(17n), basic: 'closed' })
    holders.stop()
    assert.deepEqual(outbids, [])
  })
})
