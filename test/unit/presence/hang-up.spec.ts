/**
 * Hanging up, on fakes: a connection nothing needs is released and closed
 * after an exchange, but never one to a peer whose will we hold. A relay
 * that pushed a neighbour's will to one of its clients used to hang up on
 * that client 10 s later, releasing the client's will, and the client's
 * crash in the next 10 s passed for a close on purpose. The idle sweep
 * closes, under the same rule, connections nobody planned to close.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { HangUp, type HangUpComponents } from '../../../src/presence/hang-up.js'
import { waitFor } from '../../helpers/temp.js'
import type { Wills } from '../../../src/presence/wills.js'
import type { PeerId } from '@libp2p/interface'

const log = defaultLogger().forComponent('test:hang-up')

interface Harness {
  hangUp: HangUp
  /** Peers whose connections were closed, and whose wills were released */
  closed: string[]
  released: string[]
}

/** `heldWills`: peers whose will we hold; `oursHeldBy`: peers we gave a will of ours */
/**
 * `open`: the connections there are, each with its streams' protocols (every peer has one without
 * streams if none is given); `tags`: each peer's tags
 */
function harness (heldWills: Set<string>, oursHeldBy = new Set<string>(), open?: Array<{ peer: PeerId, protocols: string[] }>, tags = new Map<string, string[]>()): Harness {
  const h: Harness = { hangUp: undefined as unknown as HangUp, closed: [], released: [] }
  const connections = (): Array<{ remotePeer: PeerId, streams: Array<{ protocol: string }> }> => (open ?? [])
    .filter(c => !h.closed.includes(c.peer.toString()))
    .map(c => ({ remotePeer: c.peer, streams: c.protocols.map(protocol => ({ protocol })) }))
  const components = {
    connectionManager: {
      getConnections: (peer?: PeerId) => open == null ? [{ streams: [] }] : connections().filter(c => peer == null || c.remotePeer.equals(peer)),
      closeConnections: async (peer: PeerId) => { h.closed.push(peer.toString()) }
    },
    peerStore: { get: async (peer: PeerId) => ({ tags: new Map((tags.get(peer.toString()) ?? []).map(tag => [tag, { value: 1 }])) }) }
  } as unknown as HangUpComponents
  const wills = {
    holds: (peer: PeerId) => heldWills.has(peer.toString()),
    release: async (peer: PeerId) => { h.released.push(peer.toString()) }
  } as unknown as Wills
  h.hangUp = new HangUp(components, wills, peer => oursHeldBy.has(peer.toString()), log)
  return h
}

describe('hanging up', () => {
  let client: PeerId
  let contact: PeerId
  beforeEach(async () => {
    [client, contact] = await Promise.all([generateKeyPair('Ed25519'), generateKeyPair('Ed25519')]).then(keys => keys.map(peerIdFromPrivateKey))
  })

  it('keeps the connection to a peer whose will we hold, and closes one nothing needs', async () => {
    const h = harness(new Set([client.toString()]), new Set([contact.toString()]))
    assert.deepEqual(await h.hangUp.needed(client), { reason: 'we hold its will', passing: false })
    assert.equal(await h.hangUp.needed(contact), undefined)
    h.hangUp.after(client, 0, 10)
    h.hangUp.after(contact, 0, 10)
    await waitFor(() => h.closed.length > 0, 2_000, 'the contact hung up on')
    // the client's timer ran first (same delay, set first): nothing more is coming for it
    h.hangUp.stop()
    assert.deepEqual(h.closed, [contact.toString()])
    assert.deepEqual(h.released, [contact.toString()], 'the client\'s will is not released')
  })

  it('announces a close only to a peer that may hold our will: a watcher pushed to gets no release stream', async () => {
    const h = harness(new Set(), new Set([client.toString()]))
    h.hangUp.after(client, 0, 10)
    h.hangUp.after(contact, 0, 10)
    await waitFor(() => h.closed.length === 2, 2_000, 'both hung up on')
    h.hangUp.stop()
    assert.deepEqual(h.closed.sort(), [client.toString(), contact.toString()].sort())
    assert.deepEqual(h.released, [client.toString()], 'only the holder of our will is told')
  })

  it('puts off a planned hang-up while the peer pushes changes, so a burst keeps its connection', async () => {
    const h = harness(new Set())
    // planned after subscribing to both; the contact then pushes a change, the client does not
    h.hangUp.after(contact, 0, 50)
    h.hangUp.after(client, 0, 50)
    h.hangUp.pushedBy(contact)
    await waitFor(() => h.closed.length > 0, 2_000, 'the quiet peer hung up on')
    await new Promise(resolve => setTimeout(resolve, 200))
    h.hangUp.stop()
    assert.deepEqual(h.closed, [client.toString()], 'the pushing contact keeps its connection for now')
  })

  it('closes a connection idle for the idle timeout, and keeps busy ones, a relay\'s clients and kept-alive peers', async () => {
    const [busy, reserved, relay, idleAfterUse] = await Promise.all(Array.from({ length: 4 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    const open = [
      { peer: contact, protocols: ['/ipfs/ping/1.0.0'] },
      { peer: busy, protocols: ['/presence-mesh/kad/1.0.0'] },
      { peer: reserved, protocols: [] },
      { peer: relay, protocols: [] },
      { peer: idleAfterUse, protocols: ['/presence-mesh/im/4.0.0'] },
      { peer: client, protocols: [] }
    ]
    const tags = new Map([[reserved.toString(), ['circuit-relay-source']], [relay.toString(), ['keep-alive-bootstrap']]])
    const h = harness(new Set([client.toString()]), new Set(), open, tags)
    const started = Date.now()
    h.hangUp.sweepIdle(200)
    await waitFor(() => h.closed.length > 0, 2_000, 'the idle connection closed')
    assert.ok(Date.now() - started >= 200, 'not before the idle timeout')
    assert.deepEqual(h.closed, [contact.toString()], 'a ping is no use')
    // the message stream ends: that connection is idle from then on
    open[4].protocols = []
    const ended = Date.now()
    await waitFor(() => h.closed.length > 1, 2_000, 'the connection idle since its last stream closed')
    assert.ok(Date.now() - ended >= 200)
    await new Promise(resolve => setTimeout(resolve, 500))
    h.hangUp.stop()
    assert.deepEqual(h.closed, [contact.toString(), idleAfterUse.toString()])
  })
})
