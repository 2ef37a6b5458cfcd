/**
 * createNode's `transports`: transports added beside TCP and circuit relay,
 * as the scale simulation adds @libp2p/memory so that hundreds of nodes in
 * one process hold no socket per connection. A node listening on both is
 * reached over memory by a node of the same process, and a node that has no
 * memory transport still reaches it over TCP.
 */
import assert from 'node:assert/strict'
import { memory } from '@libp2p/memory'
import { createNode, type PresenceMeshNode } from '../../src/node/create-node.js'

describe('createNode transports', function () {
  this.timeout(30_000)
  const nodes: PresenceMeshNode[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => node.stop()))
  })

  it('adds a transport beside TCP: memory within the process, TCP for a node without it', async () => {
    const both = await createNode({ listen: ['/memory/transports-spec', '/ip4/127.0.0.1/tcp/0'], transports: [memory()] })
    const memoryOnly = await createNode({ listen: [], transports: [memory()] })
    const tcpOnly = await createNode({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    nodes.push(both, memoryOnly, tcpOnly)
    const addresses = both.libp2p.getMultiaddrs().map(ma => ma.toString())
    assert.ok(addresses.some(a => a.startsWith('/memory/transports-spec')), `listens on memory: ${addresses.join(' ')}`)

    const viaMemory = await memoryOnly.libp2p.dial(both.libp2p.getMultiaddrs(), { signal: AbortSignal.timeout(10_000) })
    assert.match(viaMemory.remoteAddr.toString(), /^\/memory\//)
    // the memory address is not dialable without the transport: TCP is used instead
    const viaTcp = await tcpOnly.libp2p.dial(both.libp2p.getMultiaddrs(), { signal: AbortSignal.timeout(10_000) })
    assert.match(viaTcp.remoteAddr.toString(), /^\/ip4\/127\.0\.0\.1\/tcp\//)
  })
})
