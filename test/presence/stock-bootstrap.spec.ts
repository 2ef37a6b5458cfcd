import assert from 'node:assert/strict'
import { kadDHT, type KadDHT } from '@libp2p/kad-dht'
import { ping, type Ping } from '@libp2p/ping'
import { foreignNode } from '../adversarial/foreign-node.js'
import { nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import type { Libp2p } from 'libp2p'

/**
 * The foreign case: nodes that bootstrap from a stock kad-dht server (plain libp2p, the
 * /ipfs/kad/1.0.0 protocol) have no mesh DHT to put records in or get them from. A fetch of a
 * presentity we can reach must still answer — by asking the presentity itself.
 */
describe('fetch with a stock kad-dht server as bootstrap', function () {
  this.timeout(90_000)
  const nodes = nodesPerTest()
  let stock: Libp2p<{ ping: Ping, dht: KadDHT }> | undefined

  afterEach(async () => {
    await stock?.stop()
  })

  it('falls back to asking the presentity, and still refuses what it cannot find', async () => {
    stock = await foreignNode<{ ping: Ping, dht: KadDHT }>({ ping: ping(), dht: kadDHT({ clientMode: false }) })
    const bootstrap = [stock.getMultiaddrs()[0].toString()]
    const [presentity, watcher] = await Promise.all([nodes.start({ bootstrap }), nodes.start({ bootstrap })])
    await waitFor(() => presentity.libp2p.getConnections(stock?.peerId).length > 0 && watcher.libp2p.getConnections(stock?.peerId).length > 0, 20_000, 'bootstrap connections')
    await presentity.libp2p.services.presence.publish({ basic: 'open', availability: 'busy', note: { text: 'reachable, not in any DHT' } })
    // the watcher knows where the presentity is (as after `pmesh connect`), and nothing else
    await watcher.libp2p.peerStore.merge(presentity.peerId, { multiaddrs: presentity.libp2p.getMultiaddrs() })

    const record = await watcher.libp2p.services.presence.fetch(presentity.peerId, { signal: AbortSignal.timeout(30_000) })
    assert.deepEqual([record.basic, record.availability, record.note?.text], ['open', 'busy', 'reachable, not in any DHT'])
    assert.ok(record.presentity.equals(presentity.peerId))

    // one nobody can reach is still "not found", not a hang
    const stranger = await nodes.start({ bootstrap })
    const stoppedId = stranger.peerId
    await stranger.stop()
    nodes.stopped(stranger)
    await assert.rejects(watcher.libp2p.services.presence.fetch(stoppedId, { signal: AbortSignal.timeout(30_000) }), { name: 'PresenceNotFoundError' })
  })
})
