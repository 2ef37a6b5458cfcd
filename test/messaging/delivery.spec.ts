import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import { pbStream } from '@libp2p/utils'
import { fromString } from 'uint8arrays/from-string'
import { toString } from 'uint8arrays/to-string'
import { IM_PROTOCOL, MESSAGE_DOMAIN, MESSAGE_PAYLOAD_TYPE } from '../../src/messaging/constants.js'
import { marshalMessage, sealMessage, type InstantMessage } from '../../src/messaging/message.js'
import { Deliver, Receipt } from '../../src/messaging/pb/message.js'
import { connect, startNode, stopAll } from '../helpers/nodes.js'
import { tempDir, waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'
import type { PrivateKey } from '@libp2p/interface'

describe('instant message delivery', function () {
  this.timeout(60_000)
  const nodes: PresenceMeshNode[] = []
  afterEach(async () => stopAll(...nodes.splice(0)))
  async function start (options: Parameters<typeof startNode>[0] = {}): Promise<PresenceMeshNode> {
    const node = await startNode(options)
    nodes.push(node)
    return node
  }
  async function pair (options: Parameters<typeof startNode>[0] = {}): Promise<[PresenceMeshNode, PresenceMeshNode]> {
    const [a, b] = await Promise.all([start(), start(options)])
    await connect(a, b)
    return [a, b]
  }
  /** Deliver raw envelope bytes over the protocol, as an attacker or a buggy peer would */
  async function deliverRaw (from: PresenceMeshNode, to: PresenceMeshNode, envelope: Uint8Array): Promise<Receipt> {
    const stream = await from.libp2p.dialProtocol(to.peerId, IM_PROTOCOL)
    const pb = pbStream(stream)
    await pb.write({ envelope: new Uint8Array(envelope) }, Deliver)
    const receipt = await pb.read(Receipt)
    await stream.close()
    return receipt
  }
  function message (key: PrivateKey, to: PresenceMeshNode, overrides: Partial<InstantMessage> = {}): InstantMessage {
    return { from: peerIdFromPrivateKey(key), to: to.peerId, id: `m-${Math.random()}`, date: Date.now(), contentType: 'text/plain; charset=utf-8', body: fromString('hi'), headers: [], ...overrides }
  }

  it('delivers any MIME body byte for byte, once, with a signed receipt', async () => {
    const [a, b] = await pair()
    const received: string[] = []
    b.libp2p.services.im.addEventListener('message', e => received.push(e.detail.message.id))
    const bodies: Array<[string, Uint8Array]> = [
      ['text/plain; charset=utf-8', fromString('مرحبا 你好 👋🏽 é')],
      ['application/octet-stream', Uint8Array.from({ length: 256 }, (_, i) => i)],
      ['multipart/mixed; boundary="b1"', fromString('--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b1--\r\n')]
    ]
    for (const [contentType, body] of bodies) {
      const result = await a.libp2p.services.im.send(b.peerId, { body, contentType, subject: 'test' })
      assert.equal(result.status, 'delivered', JSON.stringify(result))
      assert.ok(result.ms >= 0)
    }
    const inbox = await b.libp2p.services.im.inbox()
    assert.deepEqual(inbox.map(m => [m.message.contentType, [...m.message.body]]), bodies.map(([t, body]) => [t, [...body]]))
    assert.ok(inbox.every(m => m.message.from.equals(a.peerId)))
    assert.equal(received.length, 3)
    assert.deepEqual((await a.libp2p.services.im.sent()).map(s => s.outcome?.status), ['delivered', 'delivered', 'delivered'])
  })

  it('rejects duplicates, replays, old, misaddressed, tampered and forged messages', async () => {
    const [a, b] = await pair()
    const attacker = await start()
    await connect(attacker, b)
    const events: string[] = []
    b.libp2p.services.im.addEventListener('message', e => events.push(e.detail.message.id))
    const sent = await a.libp2p.services.im.send(b.peerId, { body: 'once' })
    const [stored] = await b.libp2p.services.im.inbox()

    // a replay of the exact envelope by someone else: acknowledged (idempotent) but shown once
    const replay = await deliverRaw(attacker, b, stored.envelope)
    assert.equal(replay.status, Receipt.Status.STATUS_DELIVERED)
    assert.equal((await b.libp2p.services.im.inbox()).length, 1)
    assert.deepEqual(events, [sent.id])

    const key = await generateKeyPair('Ed25519')
    const old = await sealMessage(key, message(key, b, { date: Date.now() - 8 * 24 * 60 * 60_000 }))
    assert.equal((await deliverRaw(attacker, b, old)).status, Receipt.Status.STATUS_INVALID)
    const elsewhere = await sealMessage(key, message(key, attacker))
    assert.equal((await deliverRaw(attacker, b, elsewhere)).status, Receipt.Status.STATUS_INVALID)
    const good = await sealMessage(key, message(key, b))
    for (const index of [good.length - 1, Math.floor(good.length / 2)]) {
      const tampered = good.slice()
      tampered[index] ^= 0x01
      assert.equal((await deliverRaw(attacker, b, tampered)).status, Receipt.Status.STATUS_INVALID)
    }
    // claims to be from a, signed by someone else
    await assert.rejects(sealMessage(key, { ...message(key, b), from: a.peerId }), /signed by its sender/)
    const payload = marshalMessage({ ...message(key, b), from: a.peerId })
    const forged = await RecordEnvelope.seal({ domain: MESSAGE_DOMAIN, codec: MESSAGE_PAYLOAD_TYPE, marshal: () => payload, equals: () => false }, key)
    assert.equal((await deliverRaw(attacker, b, forged.marshal())).status, Receipt.Status.STATUS_INVALID)
    assert.equal((await deliverRaw(attacker, b, fromString('junk'))).status, Receipt.Status.STATUS_INVALID)
    assert.equal((await b.libp2p.services.im.inbox()).length, 1, 'nothing bad was stored')
  })

  it('refuses too large messages before sending, and says so when only the recipient\'s limit is lower', async () => {
    const [a, b] = await pair({ messaging: { maxBodySize: 1024 } })
    const big = await a.libp2p.services.im.send(b.peerId, { body: new Uint8Array(70 * 1024) })
    assert.deepEqual([big.status, big.reason], ['failed', 'too-large'])
    const over = await a.libp2p.services.im.send(b.peerId, { body: new Uint8Array(2048) })
    assert.deepEqual([over.status, over.reason], ['failed', 'too-large'])
    // far over the recipient's limit: refused from the length prefix alone, answered, not retried to a timeout
    const far = await a.libp2p.services.im.send(b.peerId, { body: new Uint8Array(60 * 1024) })
    assert.deepEqual([far.status, far.reason], ['failed', 'too-large'], JSON.stringify(far))
    assert.equal((await b.libp2p.services.im.inbox()).length, 0)
  })

  it('sends bodies above 64 KiB when both ends allow them', async () => {
    const [a, b] = await Promise.all([start({ messaging: { maxBodySize: 128 * 1024 } }), start({ messaging: { maxBodySize: 128 * 1024 } })])
    await connect(a, b)
    const result = await a.libp2p.services.im.send(b.peerId, { body: new Uint8Array(100 * 1024).fill(7), contentType: 'application/octet-stream' })
    assert.equal(result.status, 'delivered', JSON.stringify(result))
    assert.equal((await b.libp2p.services.im.inbox())[0].message.body.byteLength, 100 * 1024)
  })

  it('applies the inbox policy: block, nobody, contacts, allow, silent', async () => {
    const [a, b] = await pair()
    const im = b.libp2p.services.im
    const send = async (): Promise<string> => {
      const r = await a.libp2p.services.im.send(b.peerId, { body: 'knock knock' })
      return r.status === 'failed' ? `failed:${r.reason}` : r.status
    }
    // polite by default: a blocked sender is answered as any stranger, and nothing is kept
    await im.block(a.peerId)
    assert.equal(await send(), 'delivered', 'a polite block looks like delivery')
    assert.equal((await im.inbox()).length, 0)
    await im.setPolicy({ silent: false })
    assert.equal(await send(), 'failed:refused', 'an impolite block is told')
    await im.unblock(a.peerId)
    await im.setPolicy({ mode: 'nobody' })
    assert.equal(await send(), 'failed:refused')
    await im.setPolicy({ mode: 'contacts' })
    assert.equal(await send(), 'failed:refused')
    // the contact list decides who is a contact; watching someone does not make it one
    await b.libp2p.services.presence.subscribe(a.peerId, { duration: 60 })
    assert.equal(await send(), 'failed:refused', 'a watched presentity off the list is no contact')
    await b.libp2p.services.presence.unsubscribe(a.peerId)
    await b.libp2p.services.contacts.add({ target: a.peerId, name: 'a' })
    assert.equal(await send(), 'delivered', 'a contact on the list is a contact')
    await b.libp2p.services.contacts.remove('a')
    await im.allow(a.peerId)
    assert.equal(await send(), 'delivered')
    await im.block(a.peerId)
    assert.equal(await send(), 'failed:refused')
    // the API sends `mode: undefined` with a lone --silent: the mode must stay
    assert.equal((await im.setPolicy({ mode: undefined, silent: true })).mode, 'contacts')
    // polite under `contacts` means refused as every non-contact is: a "delivered" would give the block away
    assert.equal(await send(), 'failed:refused', 'a polite block under contacts looks like any refusal')
    await im.setPolicy({ mode: 'everyone' })
    assert.equal(await send(), 'delivered', 'a polite block under everyone looks like delivery')
    assert.equal((await im.inbox()).length, 2)
    await im.setPolicy({ mode: 'contacts' })
    // a mode refusal is always told, silent or not
    await im.unblock(a.peerId)
    assert.equal(await send(), 'failed:refused')
  })

  it('reports an unreachable recipient without hanging', async () => {
    const a = await start()
    const nobody = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const result = await a.libp2p.services.im.send(nobody, { body: 'anyone?' })
    assert.deepEqual([result.status, result.reason], ['failed', 'unreachable'])
    console.log(`      unreachable reported after ${result.ms} ms`)
  })

  it('loses nothing when the sender restarts mid-queue', async () => {
    const home = await tempDir()
    try {
      const recipient = await start()
      const port = recipient.libp2p.getMultiaddrs()[0].getComponents().find(c => c.name === 'tcp')?.value
      let sender = await startNode({ home: home.path, messaging: { sendTimeout: 60_000 } })
      await connect(sender, recipient)
      const recipientHome = recipient
      await recipientHome.stop()
      nodes.splice(nodes.indexOf(recipient), 1)

      const pending = sender.libp2p.services.im.send(recipient.peerId, { body: 'survive the restart' })
      await new Promise(resolve => setTimeout(resolve, 1_000))
      await sender.stop()
      const interrupted = await pending
      assert.equal(interrupted.status, 'failed')
      assert.match(interrupted.detail ?? '', /resumes at the next start/)

      const back = await start({ privateKey: (recipient.libp2p as any).components.privateKey, listen: [`/ip4/127.0.0.1/tcp/${port}`] })
      const receipts: string[] = []
      // listen for the receipt before the node starts: the outbox resumes as it starts
      sender = await startNode({ home: home.path, messaging: { sendTimeout: 60_000 }, start: false })
      nodes.push(sender)
      sender.libp2p.services.im.addEventListener('receipt', e => receipts.push(e.detail.status))
      await sender.start()
      await waitFor(async () => (await back.libp2p.services.im.inbox()).length === 1, 30_000, 'the resumed delivery')
      assert.equal(toString((await back.libp2p.services.im.inbox())[0].message.body), 'survive the restart')
      await waitFor(() => receipts.includes('delivered'), 10_000, 'the receipt')
      assert.deepEqual((await sender.libp2p.services.im.sent()).map(s => s.outcome?.status), ['delivered'])
    } finally {
      await home.remove()
    }
  })

  it('is end-to-end encrypted through a relay: Noise runs between the two endpoints', async () => {
    const r = await start({ relay: true })
    const bootstrap = [r.libp2p.getMultiaddrs()[0].toString()]
    const [a, b] = await Promise.all([start({ firewalled: true, bootstrap }), start({ firewalled: true, bootstrap })])
    const circuit = await waitFor(() => b.libp2p.getMultiaddrs().find(ma => ma.toString().includes('/p2p-circuit')), 20_000, 'a reservation')
    await a.libp2p.dial(circuit)
    const result = await a.libp2p.services.im.send(b.peerId, { body: 'relayed secret' })
    assert.equal(result.status, 'delivered', JSON.stringify(result))
    const connections = a.libp2p.getConnections(b.peerId)
    assert.ok(connections.length > 0 && connections.every(c => c.remoteAddr.toString().includes('/p2p-circuit')), 'neither side accepts direct connections')
    for (const connection of connections) {
      // the Noise handshake authenticated b's own static key across the relay: r, not holding it, only forwards ciphertext
      assert.equal(connection.encryption, '/noise')
      assert.ok(connection.remotePeer.equals(b.peerId))
    }
    assert.ok(r.libp2p.getConnections().every(c => c.remotePeer.equals(a.peerId) || c.remotePeer.equals(b.peerId)))
    assert.equal(toString((await b.libp2p.services.im.inbox())[0].message.body), 'relayed secret')

    // a burst over the same circuit reuses it: no new circuit (and no relay rate limit) per message
    const started = Date.now()
    for (let i = 0; i < 6; i++) assert.equal((await a.libp2p.services.im.send(b.peerId, { body: `burst ${i}` })).status, 'delivered')
    console.log(`      6 relayed messages in ${Date.now() - started} ms`)
    assert.ok(Date.now() - started < 15_000, 'each relayed message waited for a new circuit')
    assert.ok(a.libp2p.getConnections(b.peerId).length <= connections.length, 'new circuits were dialled')
  })

  it('re-establishes a relayed connection whose limit ran out, and delivers again', async () => {
    const r = await start({ relay: true, relayLimits: { durationMs: 1_500 } })
    const bootstrap = [r.libp2p.getMultiaddrs()[0].toString()]
    const [a, b] = await Promise.all([start({ firewalled: true, bootstrap }), start({ firewalled: true, bootstrap })])
    const circuit = await waitFor(() => b.libp2p.getMultiaddrs().find(ma => ma.toString().includes('/p2p-circuit')), 20_000, 'a reservation')
    await a.libp2p.dial(circuit)
    assert.equal((await a.libp2p.services.im.send(b.peerId, { body: 'before the limit' })).status, 'delivered')
    await waitFor(() => a.libp2p.getConnections(b.peerId).length === 0, 10_000, 'the relay closing the limited connection')
    const after = await a.libp2p.services.im.send(b.peerId, { body: 'after the limit' })
    assert.equal(after.status, 'delivered', JSON.stringify(after))
    assert.deepEqual((await b.libp2p.services.im.inbox()).map(m => toString(m.message.body)), ['before the limit', 'after the limit'])
  })
})
