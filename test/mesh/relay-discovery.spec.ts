/**
 * Relays found through the DHT, and failover onto a relay the firewalled
 * node did not know before, with messages sent while its relay dies.
 */
import assert from 'node:assert/strict'
import { toString } from 'uint8arrays/to-string'
import { connect, nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'
import type { SendResult } from '../../src/messaging/index.js'

/** The relays a node holds reservations on, from its announced circuit addresses */
const relaysOf = (node: PresenceMeshNode): string[] => [...new Set(node.libp2p.getMultiaddrs()
  .map(ma => ma.getComponents())
  .filter(parts => parts.some(p => p.name === 'p2p-circuit'))
  .map(parts => parts.find(p => p.name === 'p2p')?.value ?? ''))].sort()

describe('relay discovery and failover', function () {
  this.timeout(120_000)
  const { start, stopped } = nodesPerTest()

  it('a firewalled node knowing one relay finds another through the DHT, and after a relay dies reserves on a new one with no message lost', async () => {
    const r1 = await start({ relay: true })
    const [r2, r3] = await Promise.all([start({ relay: true }), start({ relay: true })])
    await Promise.all([connect(r2, r1), connect(r3, r1), connect(r3, r2)])
    const f = await start({ firewalled: true, bootstrap: [r1.libp2p.getMultiaddrs()[0].toString()] })
    const found = Date.now()
    await waitFor(() => relaysOf(f).length >= 2, 60_000, 'reservations on two relays, one of them found through the DHT')
    const first = relaysOf(f)
    assert.ok(first.includes(r1.peerId.toString()))
    console.log(`      second relay found through the DHT and reserved in ${Date.now() - found} ms`)

    const w = await start()
    await Promise.all([connect(w, r1), connect(w, r2), connect(w, r3)])
    // 21 messages in a few seconds: more than a stranger may send at once (inbox limits)
    await f.libp2p.services.im.allow(w.peerId)
    // f's record names its relays only once it has republished after reserving: until then a sender
    // to whom f is a stranger finds nothing of it and leaves the message in a mailbox ('stored')
    await waitFor(async () => (await w.libp2p.services.presence.addresses(f.peerId, { askPresentity: false, signal: AbortSignal.timeout(5_000) }).catch(() => []))
      .some(ma => ma.toString().includes('/p2p-circuit')), 30_000, 'f\'s record with its relayed address in the DHT')
    assert.equal((await w.libp2p.services.im.send(f.peerId, { body: 'hello' })).status, 'delivered')

    // messages keep coming while the relay other than r1 dies
    const doomed = [r2, r3].find(r => first.includes(r.peerId.toString()))!
    const spare = [r2, r3].find(r => r !== doomed)!
    const results: Array<Promise<SendResult>> = []
    const sending = (async () => {
      for (let i = 0; i < 20; i++) {
        results.push(w.libp2p.services.im.send(f.peerId, { body: `message ${i}` }))
        await new Promise(resolve => setTimeout(resolve, 100))
      }
    })()
    await new Promise(resolve => setTimeout(resolve, 500))
    const killedAt = Date.now()
    await doomed.stop()
    stopped(doomed)
    await waitFor(() => relaysOf(f).includes(spare.peerId.toString()) && relaysOf(f).length >= 2, 60_000, 'a reservation on the relay it did not hold before')
    console.log(`      reserved on a new relay ${Date.now() - killedAt} ms after one died`)
    await sending
    const outcomes = await Promise.all(results)
    assert.deepEqual(outcomes.filter(o => o.status !== 'delivered' && o.status !== 'stored'), [], 'a message was lost')
    await waitFor(async () => (await f.libp2p.services.im.inbox()).length === 21, 30_000, 'every message in the inbox')
    const bodies = (await f.libp2p.services.im.inbox()).map(m => toString(m.message.body))
    assert.deepEqual([...bodies].sort(), ['hello', ...Array.from({ length: 20 }, (_, i) => `message ${i}`)].sort(), 'each message exactly once')
  })
})
