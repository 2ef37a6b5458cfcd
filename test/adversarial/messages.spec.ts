/**
 * Forged and replayed instant messages, delivered by a stranger's node (plain
 * libp2p and the message codecs) to a real recipient R. A forgery is refused
 * INVALID and stored nowhere; a genuine message replayed later is stored
 * exactly once, and the replay gets an ordinary receipt (the sender retries
 * the same way, so a replay must look like a retry); a message dated outside
 * the accepted window is refused.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import { BatchAck, Receipt } from '../../src/messaging/pb/message.js'
import { connect, nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import { attackerNode, deliver, signMessage, type Attacker } from './integrity-helpers.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'
import type { PrivateKey } from '@libp2p/interface'

const DAY = 24 * 60 * 60_000

describe('adversarial: forged and replayed messages', function () {
  this.timeout(30_000)
  const nodes = nodesPerTest()
  let a: Attacker | undefined
  afterEach(async () => { await a?.stop() })

  async function recipient (): Promise<{ r: PresenceMeshNode, a: Attacker, aKey: PrivateKey }> {
    const aKey = await generateKeyPair('Ed25519')
    a = await attackerNode()
    const r = await nodes.start({ presence: { publishOnStart: false } })
    return { r, a, aKey }
  }

  async function inboxIds (r: PresenceMeshNode): Promise<string[]> {
    return (await r.libp2p.services.im.inbox()).map(m => `${m.message.from.toString()}/${m.message.id}`)
  }

  it('refuses forgeries INVALID and stores none: a spoofed sender, another key\'s signature, a flipped byte', async () => {
    const { r, a, aKey } = await recipient()
    const s = await nodes.start({ presence: { publishOnStart: false } })
    const target = r.libp2p.getMultiaddrs()[0]
    const forgeries = {
      // "from" names S, signed with a key that is not S's
      spoofed: await signMessage(aKey, { from: s.peerId, to: r.peerId, id: 'spoofed-1', text: 'I am S' }),
      // the attacker's own message, signed by some other key
      otherKey: await signMessage(await generateKeyPair('Ed25519'), { from: peerIdFromPrivateKey(aKey), to: r.peerId, id: 'other-key-1', text: 'hello' }),
      flipped: await signMessage(aKey, { from: peerIdFromPrivateKey(aKey), to: r.peerId, id: 'flipped-1', text: 'signed text' })
    }
    forgeries.flipped[Buffer.from(forgeries.flipped).indexOf('signed text')] ^= 0x20

    for (const [name, envelope] of Object.entries(forgeries)) {
      const receipt = await deliver(a, target, envelope)
      assert.equal(receipt.status, Receipt.Status.STATUS_INVALID, `${name}: ${Receipt.Status[receipt.status]} ${receipt.reason}`)
      assert.equal(receipt.ack, undefined, `${name} got an ack`)
    }
    assert.deepEqual(await inboxIds(r), [])
  })

  it('stores a replayed genuine message once; the replay gets a receipt and no second inbox entry', async () => {
    const { r, a } = await recipient()
    const s = await nodes.start({ presence: { publishOnStart: false } })
    await connect(s, r)
    const received: string[] = []
    r.libp2p.services.im.addEventListener('message', event => { received.push(event.detail.message.id) })
    const sent = await s.libp2p.services.im.send(r.peerId, { body: 'pay Alice 10' })
    assert.equal(sent.status, 'delivered')
    await waitFor(() => received.length === 1, 5_000, 'the genuine message at R')
    // the envelope as it travelled: what an eavesdropper on a compromised path would hold
    const [stored] = await r.libp2p.services.im.inbox()

    const receipt = await deliver(a, r.libp2p.getMultiaddrs()[0], stored.envelope)
    assert.equal(receipt.status, Receipt.Status.STATUS_DELIVERED, receipt.reason)
    // the ack is R's own signature over that message: the replay learns nothing it could not ask for
    const ack = await RecordEnvelope.openAndCertify(receipt.ack!, 'presence-mesh-im-ack')
    assert.ok(ack.publicKey.equals(r.libp2p.peerId.publicKey))
    assert.deepEqual(BatchAck.decode(ack.payload).entries.map(e => e.id), [stored.message.id])

    assert.deepEqual(received, [stored.message.id], 'the replay was shown again')
    assert.deepEqual(await inboxIds(r), [`${s.peerId.toString()}/${stored.message.id}`])
  })

  it('refuses a replay addressed to someone else', async () => {
    const { r, a } = await recipient()
    const s = await nodes.start({ presence: { publishOnStart: false } })
    const t = await nodes.start({ presence: { publishOnStart: false } })
    await connect(s, r)
    assert.equal((await s.libp2p.services.im.send(r.peerId, { body: 'for R only' })).status, 'delivered')
    const [stored] = await r.libp2p.services.im.inbox()

    const receipt = await deliver(a, t.libp2p.getMultiaddrs()[0], stored.envelope)
    assert.equal(receipt.status, Receipt.Status.STATUS_INVALID, receipt.reason)
    assert.deepEqual(await inboxIds(t), [])
  })

  it('refuses messages dated outside the window: 8 days old, 10 minutes ahead', async () => {
    const { r, a, aKey } = await recipient()
    const from = peerIdFromPrivateKey(aKey)
    for (const [id, date] of [['old-1', Date.now() - 8 * DAY], ['future-1', Date.now() + 10 * 60_000]] as const) {
      const receipt = await deliver(a, r.libp2p.getMultiaddrs()[0], await signMessage(aKey, { from, to: r.peerId, id, text: 'dated', date }))
      assert.equal(receipt.status, Receipt.Status.STATUS_INVALID, `${id}: ${receipt.reason}`)
      assert.match(receipt.reason, /date/)
    }
    // the same stranger, dated now, is accepted: the refusals were for the dates
    const fresh = await deliver(a, r.libp2p.getMultiaddrs()[0], await signMessage(aKey, { from, to: r.peerId, id: 'now-1', text: 'dated now' }))
    assert.equal(fresh.status, Receipt.Status.STATUS_DELIVERED, fresh.reason)
    assert.deepEqual(await inboxIds(r), [`${from.toString()}/now-1`])
  })
})
