import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { attackerNode, knowsServer, presenceKeyOf, putValue, type Attacker } from '../adversarial/integrity-helpers.js'
import { nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import { delegatedRecord } from '../../src/presence/delegation.js'
import { sealPresence } from '../../src/presence/record.js'

const ONE_HOST = { connectionManager: { inboundConnectionThreshold: 1_000 } }

/**
 * The foreign case: a delegate (the user's phone) published "busy" for P, P did not hear it (the
 * gossip missed it; here the record goes straight into the DHT), and P then stopped gracefully.
 * Its goodbye, the will of its own record, was below the delegate's sequence number, so the DHT
 * kept "open, busy" for good.
 */
describe('a graceful stop after a delegate published', function () {
  this.timeout(90_000)
  const nodes = nodesPerTest()
  let carrier: Attacker | undefined
  afterEach(async () => { await carrier?.stop() })

  it('leaves the presentity closed: its goodbye outranks the delegate\'s record', async () => {
    const r = await nodes.start({ ...ONE_HOST, presence: { publishOnStart: false } })
    const bootstrap = [r.libp2p.getMultiaddrs()[0].toString()]
    const [p, w] = await Promise.all([nodes.start({ ...ONE_HOST, bootstrap }), nodes.start({ ...ONE_HOST, bootstrap, presence: { publishOnStart: false } })])
    await waitFor(() => p.libp2p.services.presence.current != null, 20_000, 'P\'s first record')
    const current = p.libp2p.services.presence.current
    assert.ok(current != null)
    await waitFor(async () => (await w.libp2p.services.presence.fetch(p.peerId).catch(() => undefined))?.seq === current.seq, 20_000, 'P\'s record in R\'s DHT')

    const phoneKey = await generateKeyPair('Ed25519')
    const delegation = await p.libp2p.services.presence.delegate(peerIdFromPrivateKey(phoneKey), Date.now() + 3_600_000)
    const fromPhone = await sealPresence(phoneKey, delegatedRecord(current, { availability: 'busy', note: { text: 'from my phone' } }, delegation, Date.now(), 3_600_000))
    carrier = await attackerNode()
    await carrier.dial(r.libp2p.getMultiaddrs()[0])
    await waitFor(() => knowsServer(carrier!), 10_000, 'R in the carrier\'s routing table')
    const { stored } = await putValue(carrier, presenceKeyOf(p.peerId), fromPhone)
    assert.ok(stored.includes(r.peerId.toString()), 'R stores the delegate\'s record')
    const seen = await w.libp2p.services.presence.fetch(p.peerId)
    assert.deepEqual([seen.basic, seen.availability, seen.note?.text], ['open', 'busy', 'from my phone'])
    assert.equal(p.libp2p.services.presence.current?.seq, current.seq, 'P did not hear of it')

    await p.stop()
    nodes.stopped(p)
    const after = await waitFor(async () => {
      const record = await w.libp2p.services.presence.fetch(p.peerId).catch(() => undefined)
      return record?.basic === 'closed' ? record : undefined
    }, 20_000, 'P closed in the DHT after its goodbye')
    assert.ok(after.seq > seen.seq, `goodbye ${after.seq} above the delegate's ${seen.seq}`)
    assert.equal(after.delegation, undefined, 'the goodbye is P\'s own')
  })
})
