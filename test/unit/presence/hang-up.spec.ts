/**
 * Hanging up, on fakes: a connection nothing needs is released and closed
 * after an exchange, but never one to a peer whose will we hold. A relay
 * that pushed a neighbour's will to one of its clients used to hang up on
 * that client 10 s later, releasing the client's will, and the client's
 * crash in the next 10 s passed for a close on purpose.
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
function harness (heldWills: Set<string>, oursHeldBy = new Set<string>()): Harness {
  const h: Harness = { hangUp: undefined as unknown as HangUp, closed: [], released: [] }
  const components = {
    connectionManager: {
      getConnections: () => [{ streams: [] }],
      closeConnections: async (peer: PeerId) => { h.closed.push(peer.toString()) }
    },
    peerStore: { get: async () => ({ tags: new Map() }) }
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
})
