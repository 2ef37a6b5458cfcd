/**
 * Mailbox streams over a relayed (limited) connection, with stubbed
 * components: three mailbox services (a sender, a mailbox, a recipient)
 * joined by in-memory connections that carry `limits` as a circuit does.
 * libp2p's openStream() passes over such a connection and dials again, and
 * through a relay every dial is a new circuit; deposits, the "you have mail"
 * notice and the drain must take the connection that is open instead.
 * test/presence/connections.spec.ts checks the same for pushes on real nodes.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { MemoryDatastore } from 'datastore-core'
import { TypedEventEmitter } from 'main-event'
import { MailboxService } from '../../../src/mailbox/mailbox.js'
import { waitFor } from '../../helpers/temp.js'
import type { MailboxComponents } from '../../../src/mailbox/index.js'
import type { Connection, PeerId, Stream, StreamHandler } from '@libp2p/interface'

interface Peer {
  peerId: PeerId
  mailbox: MailboxService
  handlers: Map<string, StreamHandler>
  connections: Connection[]
  /** Peers this one tried to dial: each would be a new circuit */
  dials: PeerId[]
  /** Streams opened on its connections, by protocol */
  streams: string[]
}

async function peer (serve: boolean): Promise<Peer> {
  const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const p: Peer = { peerId, handlers: new Map(), connections: [], dials: [], streams: [] } as unknown as Peer
  const dial = async (target: PeerId): Promise<never> => {
    p.dials.push(target)
    throw new Error(`dialled ${target.toString()} again`)
  }
  const components = {
    peerId,
    datastore: new MemoryDatastore(),
    logger: defaultLogger(),
    events: new TypedEventEmitter(),
    peerStore: { get: async () => ({ protocols: [] }) },
    registrar: {
      handle: async (protocol: string, handler: StreamHandler) => { p.handlers.set(protocol, handler) },
      unhandle: async (protocol: string) => { p.handlers.delete(protocol) }
    },
    connectionManager: {
      getConnections: (target?: PeerId) => p.connections.filter(c => target == null || c.remotePeer.equals(target)),
      openConnection: dial,
      openStream: dial
    }
  } as unknown as MailboxComponents
  p.mailbox = new MailboxService(components, { serve })
  return p
}

/** One relayed connection between `a` and `b`, seen from both sides */
function relayed (a: Peer, b: Peer): void {
  const side = (from: Peer, to: Peer): Connection => ({
    remotePeer: to.peerId,
    status: 'open',
    direct: false,
    limits: { bytes: 1n << 17n, seconds: 120 },
    newStream: async (protocol: string, options: { runOnLimitedConnection?: boolean } = {}): Promise<Stream> => {
      // as libp2p: a protocol not asked to run on a limited connection is refused there
      if (options.runOnLimitedConnection !== true) throw new Error(`${protocol} refused on a limited connection`)
      const handler = to.handlers.get(protocol)
      if (handler == null) throw new Error(`${protocol} not supported`)
      const [outbound, inbound] = await streamPair()
      from.streams.push(protocol)
      Promise.resolve(handler(inbound, to.connections.find(c => c.remotePeer.equals(from.peerId))!)).catch(err => { inbound.abort(err) })
      return outbound
    }
  }) as unknown as Connection
  a.connections.push(side(a, b))
  b.connections.push(side(b, a))
}

describe('unit: mailbox streams over a relayed connection', () => {
  let peers: Peer[] = []
  afterEach(async () => {
    await Promise.all(peers.map(async p => p.mailbox.stop()))
    peers = []
  })

  it('deposits, notifies and drains on the open relayed connection, dialling no new circuit', async function () {
    this.timeout(20_000)
    const [sender, relay, recipient] = peers = await Promise.all([peer(false), peer(true), peer(false)])
    relayed(sender, relay)
    relayed(recipient, relay)
    const received: string[] = []
    recipient.mailbox.handle(async box => { received.push(new TextDecoder().decode(box)) })
    await Promise.all(peers.map(async p => p.mailbox.start()))

    const boxes = ['one', 'two', 'three']
    for (const box of boxes) {
      const result = await sender.mailbox.deposit(relay.peerId, recipient.peerId, new TextEncoder().encode(box))
      assert.equal(result.status, 'stored', JSON.stringify(result))
    }
    // each deposit tells the connected recipient, which drains what is there
    await waitFor(() => received.length === boxes.length, 10_000, 'the recipient to drain the three boxes')
    assert.deepEqual([...received].sort(), [...boxes].sort())
    assert.deepEqual(sender.streams, boxes.map(() => '/presence-mesh/mailbox/deposit/2.0.0'), 'three deposit streams on the one connection')
    assert.ok(relay.streams.length >= 1 && relay.streams.every(s => s.endsWith('/notify/1.0.0')))
    assert.ok(recipient.streams.length >= 1 && recipient.streams.every(s => s.includes('/mailbox/drain/')))
    assert.deepEqual([sender, relay, recipient].map(p => p.dials.length), [0, 0, 0], 'nobody dialled')
  })
})
