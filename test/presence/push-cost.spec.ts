/**
 * Cost in proportion to one's own contacts (issue 14, item 1): a watcher of
 * 100 contacts, connected to strangers who change their status over and
 * over, receives almost nothing for their changes. Bytes are counted on the
 * watcher's own TCP sockets (every byte libp2p puts on its wire: Noise,
 * Yamux, multistream, protocols). Measured on main with gossip shards: 365
 * bytes per stranger change.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'
import type { Connection } from '@libp2p/interface'
import type { Socket } from 'node:net'

/** Every node here is 127.0.0.1: libp2p's 5 inbound connections a second per address would be shared by all */
const ONE_HOST = { connectionManager: { inboundConnectionThreshold: 1_000 } }
const STRANGERS = 5
const CHANGES_EACH = 20
const OFFLINE_CONTACTS = 99
const AVAILABILITIES = ['busy', 'away', 'available', 'idle'] as const

/** Bytes in and out of every TCP socket under `node`'s connections, from now on (those closed meanwhile too) */
function countBytes (node: PresenceMeshNode): () => { in: number, out: number } {
  const sockets = new Map<Socket, { in: number, out: number }>()
  const track = (connection: Connection): void => {
    const socket = (connection as unknown as { maConn?: { socket?: Socket } }).maConn?.socket
    if (socket != null && !sockets.has(socket)) sockets.set(socket, { in: socket.bytesRead, out: socket.bytesWritten })
  }
  node.libp2p.getConnections().forEach(track)
  node.libp2p.addEventListener('connection:open', event => { track(event.detail) })
  return () => {
    let bytesIn = 0
    let bytesOut = 0
    for (const [socket, start] of sockets) {
      bytesIn += socket.bytesRead - start.in
      bytesOut += socket.bytesWritten - start.out
    }
    return { in: bytesIn, out: bytesOut }
  }
}

describe('what a watcher pays for strangers', function () {
  this.timeout(120_000)
  const nodes = nodesPerTest()

  it('a watcher of 100 contacts receives under 40 bytes per stranger change', async () => {
    const relay = await nodes.start({ ...ONE_HOST, relay: true })
    const bootstrap = [relay.libp2p.getMultiaddrs()[0].toString()]
    const [contact, watcher, ...strangers] = await Promise.all(Array.from({ length: 2 + STRANGERS }, async () => nodes.start({ ...ONE_HOST, bootstrap })))
    await waitFor(() => [contact, watcher, ...strangers].every(n => n.libp2p.getConnections(relay.peerId).length > 0), 15_000, 'every node to reach the relay')
    // the strangers watch one another, so their changes go somewhere
    await Promise.all(strangers.map(async (s, i) => s.libp2p.services.presence.subscribe(strangers[(i + 1) % STRANGERS].peerId, { duration: 3600 })))
    // the watcher's 100 contacts: one online, the rest offline (never seen)
    const offline = await Promise.all(Array.from({ length: OFFLINE_CONTACTS }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    const results = await Promise.all([contact.peerId, ...offline].map(async id => watcher.libp2p.services.presence.subscribe(id, { duration: 3600 })))
    assert.deepEqual(results.map(r => r.status), results.map(() => 'success'))
    // and it is connected to every stranger, so anything sent to all connected peers would reach it
    await Promise.all(strangers.map(async s => watcher.libp2p.dial(s.libp2p.getMultiaddrs()[0])))
    const notes: string[] = []
    watcher.libp2p.services.presence.addEventListener('notify', event => { if (event.detail.record?.note != null) notes.push(event.detail.record.note.text) })
    // subscribing, the DHT lookups and the hang-ups settle
    await new Promise(resolve => setTimeout(resolve, 5_000))

    const bytes = countBytes(watcher)
    for (let round = 0; round < CHANGES_EACH; round++) {
      await Promise.all(strangers.map(async (s, i) => s.libp2p.services.presence.publish({ availability: AVAILABILITIES[round % AVAILABILITIES.length], note: { text: `stranger ${i} change ${round}` } })))
    }
    // the last changes' pushes and DHT puts finish
    await new Promise(resolve => setTimeout(resolve, 2_000))
    const strangerCost = bytes()
    const changes = STRANGERS * CHANGES_EACH
    const perChange = (strangerCost.in + strangerCost.out) / changes

    // the contact's change does arrive, through the same watcher
    const contactBytes = countBytes(watcher)
    const record = await contact.libp2p.services.presence.publish({ note: { text: 'the contact changed' } })
    await waitFor(() => notes.includes('the contact changed'), 10_000, 'the contact\'s change at the watcher')
    const contactCost = contactBytes()
    console.log(`      ${changes} stranger changes: watcher in ${strangerCost.in} B, out ${strangerCost.out} B = ${perChange.toFixed(1)} B per change; one contact change (seq ${record.seq}): in ${contactCost.in} B, out ${contactCost.out} B`)
    assert.ok(notes.every(note => !note.startsWith('stranger')), 'the watcher was shown a stranger\'s change')
    assert.ok(perChange < 40, `${perChange.toFixed(1)} bytes per stranger change`)
    assert.ok(contactCost.in > 0, 'no byte counted for the contact\'s change: the counter sees nothing')
  })
})
