import assert from 'node:assert/strict'
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { Key } from 'interface-datastore'
import { concat } from 'uint8arrays/concat'
import { equals } from 'uint8arrays/equals'
import { fromString } from 'uint8arrays/from-string'
import { KEEP_ALIVE } from '@libp2p/interface'
import { setTimeout as sleep } from 'node:timers/promises'
import { byteStream } from '@libp2p/utils'
import { DHT_PROTOCOL } from '../../src/node/constants.js'
import { PING_PROTOCOL } from '../../src/node/stream-limits.js'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { HomeInUseError } from '../../src/node/errors.js'
import { connect, startNode, stopAll } from '../helpers/nodes.js'
import { tempDir, waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

/** The DHT's own public-key record type: `/pk/<peer id multihash>` → protobuf public key */
function pkRecord (node: PresenceMeshNode): { key: Uint8Array, value: Uint8Array } {
  return {
    key: concat([fromString('/pk/'), node.peerId.toMultihash().bytes]),
    value: publicKeyToProtobuf(node.libp2p.peerId.publicKey!)
  }
}

async function dhtGet (node: PresenceMeshNode, key: Uint8Array): Promise<Uint8Array | undefined> {
  for await (const event of node.libp2p.services.dht.get(key, { signal: AbortSignal.timeout(10_000) })) {
    if (event.name === 'VALUE') return event.value
  }
  return undefined
}

describe('nodes on loopback', function () {
  this.timeout(60_000)
  const nodes: PresenceMeshNode[] = []
  afterEach(async () => stopAll(...nodes.splice(0)))

  it('two nodes connect and ping each other', async () => {
    const [a, b] = await Promise.all([startNode(), startNode()])
    nodes.push(a, b)
    await connect(a, b)
    const rtt = await a.libp2p.services.ping.ping(b.peerId)
    assert.ok(rtt >= 0)
    assert.equal(a.presUri, `pres:${a.peerId.toString()}`)
  })

  // libp2p's connection monitor aborts a connection whose ping fails, and waits up to 60 s for one
  // (20 s in the scale simulation); libp2p's ping handler reset the stream after 10 s, so a node
  // whose loop stalled past 10 s lost its connections: the relay's "Cannot write to a stream that
  // is closed" in design record 015. A round that starts 11 s late is answered now
  it('answers a ping whose round comes 11 s after its stream opened, and keeps the connection', async () => {
    const [asker, answerer] = await Promise.all([startNode(), startNode()])
    nodes.push(asker, answerer)
    await connect(asker, answerer)
    const connection = asker.libp2p.getConnections(answerer.peerId)[0]
    const stream = await connection.newStream(PING_PROTOCOL, { signal: AbortSignal.timeout(5_000) })
    const errors: string[] = []
    stream.addEventListener('close', event => { if (event.error != null) errors.push(event.error.name) })
    await sleep(11_000)
    assert.deepEqual(errors, [], 'the answerer reset the ping stream while the asker still waited')
    const bytes = byteStream(stream)
    const round = crypto.getRandomValues(new Uint8Array(32))
    await bytes.write(round, { signal: AbortSignal.timeout(5_000) })
    assert.ok(equals((await bytes.read({ bytes: 32, signal: AbortSignal.timeout(5_000) })).subarray(), round), 'the round echoed')
    await stream.close({ signal: AbortSignal.timeout(5_000) })
    assert.equal(connection.status, 'open')
    assert.ok(answerer.libp2p.getConnections(asker.peerId).length > 0)
  })

  it('speaks the presence-mesh DHT protocol, not IPFS\'s', async () => {
    const a = await startNode()
    nodes.push(a)
    assert.ok(a.libp2p.getProtocols().includes(DHT_PROTOCOL))
    assert.ok(!a.libp2p.getProtocols().some(p => p.startsWith('/ipfs/kad')))
  })

  it('three nodes in a line share DHT records under our prefix', async () => {
    const [a, b, c] = await Promise.all([startNode(), startNode(), startNode()])
    nodes.push(a, b, c)
    await connect(a, b)
    await connect(c, b)
    // the routing tables take b in once identify has told each side b speaks our DHT protocol
    const speaksDht = async (node: PresenceMeshNode): Promise<boolean> => (await node.libp2p.peerStore.get(b.peerId)).protocols.includes(DHT_PROTOCOL)
    await waitFor(async () => await speaksDht(a) && await speaksDht(c), 10_000, 'identify')
    const { key, value } = pkRecord(a)
    for await (const event of a.libp2p.services.dht.put(key, value, { signal: AbortSignal.timeout(10_000) })) {
      void event
    }
    // c never dialled a: it finds the record through b
    const found = await dhtGet(c, key)
    assert.ok(found != null && equals(found, value))
  })

  it('keeps identity, DHT records and its own state across a restart', async () => {
    const dir = await tempDir()
    try {
      const first = await startNode({ home: dir.path })
      const peer = await startNode()
      nodes.push(peer)
      await connect(first, peer)
      const peerId = first.peerId.toString()
      const { key, value } = pkRecord(first)
      for await (const event of first.libp2p.services.dht.put(key, value, { signal: AbortSignal.timeout(10_000) })) {
        void event
      }
      await first.datastore.put(new Key('/presence-mesh/settings/greeting'), fromString('hello'))
      await first.stop()

      const second = await startNode({ home: dir.path })
      nodes.push(second)
      assert.equal(second.peerId.toString(), peerId)
      assert.ok(equals(await second.datastore.get(new Key('/presence-mesh/settings/greeting')), fromString('hello')))
      const stored = await dhtGet(second, key)
      assert.ok(stored != null && equals(stored, value), 'the DHT record stored before the restart is still served')
      assert.ok(await second.libp2p.peerStore.has(peer.peerId), 'the peer store remembers peers from before the restart')
    } finally {
      await dir.remove()
    }
  })

  it('refuses a second node on the same home, and runs two homes side by side', async () => {
    const [one, two] = await Promise.all([tempDir(), tempDir()])
    try {
      const a = await startNode({ home: one.path })
      nodes.push(a)
      await assert.rejects(startNode({ home: one.path }), HomeInUseError)
      const b = await startNode({ home: two.path })
      nodes.push(b)
      await connect(a, b)
      assert.notEqual(a.peerId.toString(), b.peerId.toString())
    } finally {
      await stopAll(...nodes.splice(0))
      await Promise.all([one.remove(), two.remove()])
    }
  })

  it('desktop nodes ask the DHT that the node they bootstrap from serves, records outliving them', async () => {
    const seed = await startNode()
    nodes.push(seed)
    const bootstrap = [seed.libp2p.getMultiaddrs()[0].toString()]
    const [a, b] = await Promise.all([startNode({ bootstrap }), startNode({ bootstrap })])
    nodes.push(b)
    assert.equal(seed.libp2p.services.dht.getMode(), 'server')
    for (const desktop of [a, b]) {
      assert.equal(desktop.libp2p.services.dht.getMode(), 'client')
      // peers learn the role through identify: a client is never put in a routing table, so never asked
      assert.ok(!desktop.libp2p.getProtocols().includes(DHT_PROTOCOL))
    }
    // a announced itself once it had met the seed, and its start did not wait for the put: its first
    // record reaches the DHT, not lost to the race between its start and its bootstrap connection
    const first = await waitFor(async () => b.libp2p.services.presence.fetch(a.peerId, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined), 15_000, 'a\'s first record in the DHT')
    assert.equal(first.basic, 'open')

    await a.libp2p.services.presence.publish({ availability: 'away', note: { text: 'gone fishing' } })
    await a.stop()
    // b finds a's last word although a is offline and b only asks: a server holds it
    const record = await b.libp2p.services.presence.fetch(a.peerId)
    assert.equal(record.basic, 'closed', 'its goodbye')
    assert.equal(record.note?.text, 'gone fishing')
    // and so does the seed, the only server (no other in its routing table): from its own store
    assert.equal((await seed.libp2p.services.presence.fetch(a.peerId, { signal: AbortSignal.timeout(5_000) })).seq, record.seq)

    const volunteer = await startNode({ bootstrap, dhtServer: true })
    nodes.push(volunteer)
    assert.equal(volunteer.libp2p.services.dht.getMode(), 'server', 'an always-on node may volunteer')
  })

  it('keeps DHT clients out of its routing table, even when a lookup names them as providers', async () => {
    const seed = await startNode()
    nodes.push(seed)
    const bootstrap = [seed.libp2p.getMultiaddrs()[0].toString()]
    const [a, b] = await Promise.all([startNode({ bootstrap }), startNode({ bootstrap })])
    nodes.push(a, b)
    const knowsServer = async (node: PresenceMeshNode): Promise<boolean> => (await node.libp2p.peerStore.get(seed.peerId).catch(() => undefined))?.protocols.includes(DHT_PROTOCOL) === true
    await waitFor(async () => await knowsServer(a) && await knowsServer(b), 10_000, 'the bootstrap connections and identify')
    // b provides some content: a provider record on the DHT servers
    const cid = CID.createV1(raw.code, await sha256.digest(fromString('any content b provides')))
    for await (const event of b.libp2p.services.dht.provide(cid, { signal: AbortSignal.timeout(10_000) })) void event
    let named = false
    for await (const event of a.libp2p.services.dht.findProviders(cid, { signal: AbortSignal.timeout(10_000) })) {
      if (event.name === 'PROVIDER' && event.providers.some(p => p.id.equals(b.peerId))) named = true
    }
    assert.ok(named, 'the lookup names b')
    // kad-dht verifies a named peer (a ping) before admitting it, and tags its 20 nearest every 5 s
    await new Promise(resolve => setTimeout(resolve, 6_000))
    const kadTags = async (peer: PresenceMeshNode): Promise<string[]> =>
      [...(await a.libp2p.peerStore.get(peer.peerId)).tags.keys()].filter(tag => tag.startsWith('kad') || tag.startsWith(KEEP_ALIVE))
    assert.deepEqual(await kadTags(b), [], 'b, a DHT client, is no DHT neighbour of a, and nothing keeps a connected to it')
    assert.ok((await kadTags(seed)).includes('kad-peer'), 'the seed, a DHT server, is')
  })
})
