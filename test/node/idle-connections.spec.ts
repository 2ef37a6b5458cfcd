/**
 * A node's connections follow what it needs, not who it once talked to. A
 * desktop node (a DHT client) reaches many DHT servers for its lookups and
 * keeps none of them but its relay; a relay closes what strangers opened and
 * left idle, and keeps its clients. Before, kad-dht kept every client
 * connected to its 20 nearest servers and nothing closed a connection used
 * only by the DHT: at 1,000 nodes each of 10 relays held a connection from
 * every node and refused its own new clients (design record 015).
 * Real nodes on 127.0.0.1, with a short idle timeout.
 */
import assert from 'node:assert/strict'
import { ping } from '@libp2p/ping'
import { foreignNode } from '../adversarial/foreign-node.js'
import { KAD_DHT_KEEP_ALIVE_TAG } from '../../src/utils/network-names.js'
import { nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'
import type { NotifyEvent } from '../../src/presence/index.js'
import type { Libp2p } from '@libp2p/interface'

const IDLE_MS = 2_000
/** Every node here is 127.0.0.1: libp2p's 5 inbound connections a second per address would be shared by all */
const ONE_HOST = { connectionManager: { inboundConnectionThreshold: 1_000 } }
const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
const addressOf = (node: PresenceMeshNode): string => node.libp2p.getMultiaddrs()[0].toString()
/** Internals, not in the services' public types */
const routingTableSize = (node: PresenceMeshNode): number => (node.libp2p.services.dht as unknown as { routingTable: { size: number } }).routingTable.size
const holdsWill = (holder: PresenceMeshNode, of: PresenceMeshNode): boolean =>
  (holder.libp2p.services.presence as unknown as { wills: { holds(peer: unknown): boolean } }).wills.holds(of.peerId)

describe('idle connections', function () {
  this.timeout(60_000)
  const nodes = nodesPerTest()
  let stranger: Libp2p | undefined
  afterEach(async () => { await stranger?.stop() })

  it('a desktop node keeps its relay and closes the other DHT servers its lookups reached', async () => {
    const relay = await nodes.start({ ...ONE_HOST, relay: true, presence: { idleTimeout: IDLE_MS } })
    const other = await nodes.start({ ...ONE_HOST, relay: true, bootstrap: [addressOf(relay)], presence: { idleTimeout: IDLE_MS } })
    await waitFor(() => routingTableSize(relay) > 0, 10_000, 'the relays to know each other as DHT servers')
    let reached = false
    other.libp2p.addEventListener('peer:connect', () => { reached = true })
    const desktop = await nodes.start({ ...ONE_HOST, bootstrap: [addressOf(relay)], presence: { idleTimeout: IDLE_MS } })
    assert.equal(desktop.libp2p.services.dht.getMode(), 'client')
    // its own record goes to the servers nearest its key: both
    await desktop.libp2p.services.presence.publish({ availability: 'away' })
    await waitFor(() => reached, 10_000, 'the desktop node to reach the other relay')

    await waitFor(() => desktop.libp2p.getConnections(other.peerId).length === 0, 15_000, 'the desktop node to close its idle connection to the other relay')
    // kad-dht tags its nearest servers every 5 s: none is tagged keep-alive, none dialled again
    await sleep(6_000)
    assert.equal(desktop.libp2p.getConnections(other.peerId).length, 0)
    assert.equal((await desktop.libp2p.peerStore.get(other.peerId)).tags.has(KAD_DHT_KEEP_ALIVE_TAG), false)
    assert.ok(desktop.libp2p.getConnections(relay.peerId).length > 0, 'its relay stays connected')
    // and it still asks the DHT: the other relay is dialled again when a lookup needs it
    assert.equal((await desktop.libp2p.services.presence.fetch(other.peerId))?.basic, 'open')
  })

  it('a relay closes a stranger\'s idle connection and keeps its clients\', who stay reachable and watched', async () => {
    const relay = await nodes.start({ ...ONE_HOST, relay: true, presence: { idleTimeout: IDLE_MS } })
    const bootstrap = [addressOf(relay)]
    // one holds a reservation (firewalled), one leaves its will here (a desktop node reachable directly)
    const firewalled = await nodes.start({ ...ONE_HOST, bootstrap, firewalled: true })
    const desktop = await nodes.start({ ...ONE_HOST, bootstrap, presence: { idleTimeout: IDLE_MS } })
    await waitFor(() => firewalled.libp2p.getMultiaddrs().length > 0, 15_000, 'the firewalled node\'s reservation')
    await waitFor(() => holdsWill(relay, desktop), 10_000, 'the desktop node\'s will at the relay')
    // it answers pings, as any libp2p node does: the relay's connection monitor finds nothing wrong
    stranger = await foreignNode({ ping: ping() })
    await stranger.dial(relay.libp2p.getMultiaddrs()[0])
    await waitFor(() => relay.libp2p.getConnections(stranger?.peerId).length > 0, 5_000, 'the stranger\'s connection at the relay')
    const seen: NotifyEvent[] = []
    desktop.libp2p.services.presence.addEventListener('notify', event => seen.push(event.detail))

    await waitFor(() => relay.libp2p.getConnections(stranger?.peerId).length === 0, 10_000, 'the relay to close the stranger\'s idle connection')
    await sleep(3 * IDLE_MS)
    assert.ok(relay.libp2p.getConnections(firewalled.peerId).length > 0, 'the client with a reservation stays connected')
    assert.ok(relay.libp2p.getConnections(desktop.peerId).length > 0, 'the client whose will the relay holds stays connected')
    // nobody took a close for a death, and the firewalled client is still reached through its relay
    assert.equal((await desktop.libp2p.services.presence.subscribe(firewalled.peerId, { duration: 600 })).status, 'success')
    await firewalled.libp2p.services.presence.publish({ availability: 'busy' })
    await waitFor(() => seen.some(e => e.target.equals(firewalled.peerId) && e.record?.availability === 'busy'), 10_000, 'the firewalled client\'s change')
    assert.deepEqual(seen.filter(e => e.record?.basic === 'closed'), [])
  })
})
