/**
 * A node keeps trying its bootstrap peers (its relays, its community's seed)
 * for as long as it runs: one that was not there when the node started, or
 * that stayed away longer than libp2p's reconnect queue tries (five dials
 * over about 30 s, after which libp2p drops the peer's keep-alive tag), is
 * dialled again once it is back. Real nodes on 127.0.0.1; the bootstrap
 * peer comes back on the same port with the same identity.
 */
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { BOOTSTRAP_TAG } from '../../src/node/constants.js'
import { nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import type { PrivateKey } from '@libp2p/interface'

/** A port nothing listens on now */
async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

describe('bootstrap peers: dialled again until they answer', function () {
  this.timeout(60_000)
  const nodes = nodesPerTest()

  async function seedAddress (): Promise<{ key: PrivateKey, listen: string, address: string }> {
    const key = await generateKeyPair('Ed25519')
    const listen = `/ip4/127.0.0.1/tcp/${await freePort()}`
    return { key, listen, address: `${listen}/p2p/${peerIdFromPrivateKey(key).toString()}` }
  }

  it('a node started while its bootstrap peer is down connects once it comes up', async () => {
    const seed = await seedAddress()
    const node = await nodes.start({ bootstrap: [seed.address] })
    // libp2p's bootstrap dials once, at start, and fails: nothing of libp2p's dials again
    await new Promise(resolve => setTimeout(resolve, 2_000))
    assert.equal(node.libp2p.getConnections().length, 0)
    const relay = await nodes.start({ listen: [seed.listen], privateKey: seed.key, relay: true })
    await waitFor(() => node.libp2p.getConnections(relay.peerId).length > 0, 20_000, 'a connection to the bootstrap peer that came up')
  })

  it('a node whose bootstrap peer stayed away past libp2p\'s reconnect tries connects once it is back', async () => {
    const seed = await seedAddress()
    const first = await nodes.start({ listen: [seed.listen], privateKey: seed.key, relay: true })
    // libp2p gives up after one failed reconnect here (five over ~30 s by default) and drops the keep-alive tag
    const node = await nodes.start({ bootstrap: [seed.address], connectionManager: { reconnectRetries: 1, reconnectRetryInterval: 100 } })
    await waitFor(() => node.libp2p.getConnections(first.peerId).length > 0, 10_000, 'the first connection')
    await first.stop()
    nodes.stopped(first)
    await waitFor(async () => !(await node.libp2p.peerStore.get(first.peerId)).tags.has(BOOTSTRAP_TAG), 10_000, 'libp2p dropping the keep-alive tag after its tries')
    const back = await nodes.start({ listen: [seed.listen], privateKey: seed.key, relay: true })
    await waitFor(() => node.libp2p.getConnections(back.peerId).length > 0, 20_000, 'a connection to the bootstrap peer that came back')
  })
})
