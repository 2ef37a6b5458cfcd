import assert from 'node:assert/strict'
import { toString } from 'uint8arrays/to-string'
import { connect, nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

const circuits = (node: PresenceMeshNode): string[] => node.libp2p.getMultiaddrs().map(ma => ma.toString()).filter(a => a.includes('/p2p-circuit'))

describe('firewalled and private nodes behind relays', function () {
  this.timeout(90_000)
  const { start, stopped } = nodesPerTest()
  const bootstrapOf = (...relays: PresenceMeshNode[]): string[] => relays.map(r => r.libp2p.getMultiaddrs()[0].toString())

  it('a firewalled node is fetched, watched and messaged only through a relay, and fails over to a second relay', async () => {
    const [r1, r2] = await Promise.all([start({ relay: true }), start({ relay: true })])
    const f = await start({ firewalled: true, bootstrap: bootstrapOf(r1, r2) })
    await waitFor(() => circuits(f).length >= 2, 20_000, 'reservations on both relays')
    assert.equal(f.libp2p.getMultiaddrs().filter(a => !a.toString().includes('/p2p-circuit')).length, 0, 'only circuit addresses are announced')

    const w = await start()
    await connect(w, r1)
    await connect(w, r2)
    await f.libp2p.services.presence.publish({ availability: 'busy', note: { text: 'behind a NAT' } })
    const fetched = await waitFor(async () => {
      const record = await w.libp2p.services.presence.fetch(f.peerId).catch(() => undefined)
      return record?.note?.text === 'behind a NAT' ? record : undefined
    }, 15_000, 'the record through the DHT')
    assert.ok(fetched.addresses.every(a => a.toString().includes('/p2p-circuit')))

    const notes: string[] = []
    w.libp2p.services.presence.addEventListener('notify', e => { if (e.detail.target.equals(f.peerId) && e.detail.record?.note != null) notes.push(e.detail.record.note.text) })
    const response = await w.libp2p.services.presence.subscribe(f.peerId, { duration: 120 })
    assert.equal(response.status, 'success')
    await waitFor(() => f.libp2p.services.presence.watchers().length === 1, 15_000, 'the subscription registered with the firewalled presentity')
    await f.libp2p.services.presence.publish({ note: { text: 'still here' } })
    await waitFor(() => notes.includes('still here'), 15_000, 'a notify through the relay')

    const sent = await w.libp2p.services.im.send(f.peerId, { body: 'through the relay' })
    assert.equal(sent.status, 'delivered', JSON.stringify(sent))
    // F may dial out (a NAT allows that), but nobody ever dialled F directly
    const toF = w.libp2p.getConnections(f.peerId)
    assert.ok(toF.length > 0 && toF.every(c => c.remoteAddr.toString().includes('/p2p-circuit') || c.direction === 'inbound'), 'someone dialled the firewalled node directly')

    // a relay dies: F keeps its other reservation, re-announces, and stays reachable
    const via = r1
    const other = r2
    const killedAt = Date.now()
    await via.stop()
    stopped(via)
    await waitFor(async () => {
      const record = await w.libp2p.services.presence.fetch(f.peerId).catch(() => undefined)
      return record != null && record.addresses.length > 0 && record.addresses.every(a => a.toString().includes(other.peerId.toString()))
    }, 20_000, 'the re-announced record naming only the surviving relay')
    console.log(`      re-announced through the surviving relay ${Date.now() - killedAt} ms after the relay died`)
    const again = await w.libp2p.services.im.send(f.peerId, { body: 'after failover' })
    assert.equal(again.status, 'delivered', JSON.stringify(again))
    assert.deepEqual((await f.libp2p.services.im.inbox()).map(m => toString(m.message.body)), ['through the relay', 'after failover'])
  })

  it('a private node\'s IP address appears in nothing other nodes store about it', async () => {
    const r = await start({ relay: true })
    const p = await start({ private: true, bootstrap: bootstrapOf(r) })
    await waitFor(() => circuits(p).length >= 1, 20_000, 'a reservation')
    const w = await start()
    await connect(w, r)
    await p.libp2p.services.presence.publish({ note: { text: 'hidden' } })
    const sent = await w.libp2p.services.im.send(p.peerId, { body: 'hello private' })
    assert.equal(sent.status, 'delivered', JSON.stringify(sent))
    await w.libp2p.services.presence.fetch(p.peerId)

    // p listens on 127.0.0.1 like everyone here: its own TCP port is what would give it away
    const ownPorts = await listeningPorts(p)
    const leaks = (text: string): boolean => ownPorts.some(port => text.includes(`/tcp/${port}`) && !text.includes('/p2p-circuit'))
    const peerData = await w.libp2p.peerStore.get(p.peerId)
    assert.ok(!peerData.addresses.some(a => leaks(a.multiaddr.toString())), 'the peer store holds a direct address')
    assert.ok(w.libp2p.getConnections(p.peerId).every(c => c.remoteAddr.toString().includes('/p2p-circuit')), 'w holds a direct connection')
    for await (const { key, value } of w.datastore.query({})) {
      const text = toString(value, 'latin1')
      for (const port of ownPorts) assert.ok(!text.includes(`127.0.0.1/tcp/${port}`) && !containsBinaryPort(value, port), `w's datastore holds p's port ${port} under ${key.toString()}`)
    }
  })
})

/** The TCP ports a node listens on (its real addresses, not the announced ones) */
async function listeningPorts (node: PresenceMeshNode): Promise<number[]> {
  const ports: number[] = []
  for (const listener of (node.libp2p as any).components.transportManager.getListeners()) {
    for (const address of listener.getAddrs()) {
      // a circuit listener's address is the relay's
      if (address.toString().includes('/p2p-circuit')) continue
      const tcp = address.getComponents().find((c: { name: string }) => c.name === 'tcp')
      if (tcp?.value != null) ports.push(Number(tcp.value))
    }
  }
  return ports
}

/** A binary multiaddr /ip4/127.0.0.1/tcp/PORT as stored in peer records and protobufs */
function containsBinaryPort (value: Uint8Array, port: number): boolean {
  const needle = [0x04, 127, 0, 0, 1, 0x06, port >> 8, port & 0xff]
  outer: for (let i = 0; i + needle.length <= value.length; i++) {
    for (let j = 0; j < needle.length; j++) if (value[i + j] !== needle[j]) continue outer
    return true
  }
  return false
}

