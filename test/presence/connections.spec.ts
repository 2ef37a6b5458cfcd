/**
 * What a watcher with many contacts needs: no connection to each contact at
 * rest (each presentity dials to push a change, then hangs up), and pushes
 * that reach it through its relay when it is firewalled. That offline
 * contacts cost nothing on a timer is checked on a fake clock
 * (test/unit/presence/subscriptions.spec.ts).
 */
import assert from 'node:assert/strict'
import { startNode, stopAll } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'
import type { NotifyEvent } from '../../src/presence/index.js'
import type { PeerId } from '@libp2p/interface'

/** Every node here is 127.0.0.1: libp2p's 5 inbound connections a second per address would be shared by all */
const ONE_HOST = { connectionManager: { inboundConnectionThreshold: 1_000 } }
const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
const addressOf = (node: PresenceMeshNode): string => node.libp2p.getMultiaddrs()[0].toString()

describe('a watcher with many contacts', function () {
  this.timeout(60_000)
  let nodes: PresenceMeshNode[] = []
  const start = async (options: Parameters<typeof startNode>[0] = {}): Promise<PresenceMeshNode> => {
    const node = await startNode({ ...ONE_HOST, ...options })
    nodes.push(node)
    return node
  }
  afterEach(async () => {
    await stopAll(...nodes)
    nodes = []
  })

  it('hangs up on each contact once subscribed, and still hears its changes and its death', async function () {
    this.timeout(120_000)
    const contacts = 8
    // the relay serves the DHT; the others joined through it, so they only ask it, and no routing
    // table keeps a contact connected as a DHT neighbour (kad-dht keeps its 20 nearest servers)
    const relay = await start({ relay: true })
    const bootstrap = [addressOf(relay)]
    const presentities = await Promise.all(Array.from({ length: contacts }, async () => start({ bootstrap })))
    const watcher = await start({ bootstrap })
    await waitFor(() => [watcher, ...presentities].every(n => n.libp2p.getConnections(relay.peerId).length > 0), 10_000, 'every node to reach the relay')
    const isContact = (peer: PeerId): boolean => presentities.some(p => p.peerId.equals(peer))
    const seen: NotifyEvent[] = []
    watcher.libp2p.services.presence.addEventListener('notify', event => seen.push(event.detail))

    const results = await Promise.all(presentities.map(async p => watcher.libp2p.services.presence.subscribe(p.peerId, { duration: 3600 })))
    assert.deepEqual(results.map(r => r.status), results.map(() => 'success'))
    // each presentity registered the watcher: the subscribe went to it directly
    assert.ok(presentities.every(p => p.libp2p.services.presence.watchers().some(w => w.peerId.equals(watcher.peerId))))
    await waitFor(() => watcher.libp2p.getConnections().every(c => !isContact(c.remotePeer)), 45_000, 'the watcher to hang up on every contact')
    // hanging up is not dying: no holder on either side took the close for a death (grace 2 s + probe)
    await sleep(5_000)
    assert.deepEqual(seen.filter(e => e.record?.basic === 'closed').map(e => e.target.toString()), [])
    assert.deepEqual(watcher.libp2p.getConnections().filter(c => isContact(c.remotePeer)), [])

    await Promise.all(presentities.map(async (p, i) => p.libp2p.services.presence.publish({ availability: 'away', note: { text: `out ${i}` } })))
    await waitFor(() => presentities.every((p, i) => seen.some(e => e.target.equals(p.peerId) && e.record?.note?.text === `out ${i}`)), 15_000,
      'every contact\'s change at the watcher')
    // each presentity dialled to push, and hangs up again
    await waitFor(() => watcher.libp2p.getConnections().every(c => !isContact(c.remotePeer)), 45_000, 'the contacts to hang up after pushing')

    // one dies without a goodbye: the relay, still connected to it, holds its will
    const dead = presentities[0]
    const service = dead.libp2p.services.presence as unknown as { beforeStop(): Promise<void> }
    service.beforeStop = async () => {}
    await Promise.all(dead.libp2p.getConnections().map(c => { c.abort(new Error('gone')) }))
    await dead.stop()
    await waitFor(() => seen.some(e => e.target.equals(dead.peerId) && e.record?.basic === 'closed'), 15_000, 'the dead contact closed at the watcher')
  })

  it('pushes to firewalled watchers through their relay\'s circuit', async function () {
    this.timeout(90_000)
    // all on 127.0.0.1, as firewalled nodes behind one relay or a LAN behind one NAT look to a relay
    const relay = await start({ relay: true })
    const bootstrap = [addressOf(relay)]
    const p = await start({ bootstrap })
    // more watchers than the circuits a relay takes from one peer at once (16 hop streams): the
    // fan-out must take them in turn and give each back
    const watchers: PresenceMeshNode[] = []
    for (let i = 0; i < 18; i += 6) watchers.push(...await Promise.all(Array.from({ length: 6 }, async () => start({ bootstrap, firewalled: true }))))
    const circuit = (w: PresenceMeshNode): boolean => w.libp2p.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit'))
    await waitFor(() => watchers.every(circuit), 30_000, 'every watcher to hold a reservation on the relay')
    const seen = watchers.map(() => new Set<bigint>())
    watchers.forEach((w, i) => w.libp2p.services.presence.addEventListener('notify', event => {
      if (event.detail.record?.presentity.equals(p.peerId) === true) seen[i].add(event.detail.record.seq)
    }))
    const results = await Promise.all(watchers.map(async w => w.libp2p.services.presence.subscribe(p.peerId, { duration: 3600 })))
    assert.deepEqual(results.map(r => r.status), results.map(() => 'success'))
    // the watchers hang up on p: from here on p reaches each through the relay's circuit
    await waitFor(() => watchers.every(w => w.libp2p.getConnections(p.peerId).length === 0), 30_000, 'the watchers to hang up on p')
    for (const availability of ['busy', 'away', 'available'] as const) {
      const record = await p.libp2p.services.presence.publish({ availability })
      await waitFor(() => seen.every(s => s.has(record.seq)), 15_000, `${availability} at every watcher (${seen.filter(s => s.has(record.seq)).length} of ${watchers.length})`)
    }
    // nobody dialled a firewalled watcher directly: every connection p has to one is relayed
    const direct = watchers.flatMap(w => p.libp2p.getConnections(w.peerId)).filter(c => !c.remoteAddr.toString().includes('/p2p-circuit'))
    assert.deepEqual(direct.map(c => c.remoteAddr.toString()), [])
  })
})
