import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import fc from 'fast-check'
import { Key } from 'interface-datastore'
import { fromString } from 'uint8arrays/from-string'
import { toString } from 'uint8arrays/to-string'
import { messageDigest, signBatchAck, verifyBatchAck } from '../../src/messaging/ack.js'
import { InvalidMessageSignatureError } from '../../src/messaging/errors.js'
import { Receipt, Receipts } from '../../src/messaging/pb/message.js'
import { SeenIds } from '../../src/messaging/seen-ids.js'
import { EnvelopeSigner } from '../../src/utils/signed-envelopes.js'
import { lpStream, pbStream } from '@libp2p/utils'
import { DEPOSIT_PROTOCOL } from '../../src/mailbox/constants.js'
import { Deposit, DepositResult } from '../../src/mailbox/pb/mailbox.js'
import { IM_PROTOCOL } from '../../src/messaging/constants.js'
import { foreignNode } from '../adversarial/foreign-node.js'
import { connect, nodesPerTest } from '../helpers/nodes.js'

describe('messaging 4.0.0 wire', function () {
  this.timeout(60_000)

  it('a batch ack names every message it covers, and holds only for its recipient and sender', async () => {
    const recipientKey = await generateKeyPair('Ed25519')
    const recipient = peerIdFromPrivateKey(recipientKey)
    const sender = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const someoneElse = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const entries = ['a', 'b', 'c'].map(id => ({ id, digest: messageDigest(fromString(`envelope ${id}`)) }))
    const ack = await signBatchAck(new EnvelopeSigner(recipientKey), sender, entries, Date.now())
    const acked = await verifyBatchAck(ack, recipient, sender)
    assert.deepEqual([...acked.keys()], ['a', 'b', 'c'])
    assert.deepEqual(acked.get('b'), entries[1].digest)
    await assert.rejects(verifyBatchAck(ack, someoneElse, sender), InvalidMessageSignatureError)
    await assert.rejects(verifyBatchAck(ack, recipient, someoneElse), InvalidMessageSignatureError)
    const flipped = ack.slice()
    flipped[flipped.length - 1] ^= 1
    await assert.rejects(verifyBatchAck(flipped, recipient, sender), InvalidMessageSignatureError)
  })

  it('an acknowledgement from the network only ever fails with InvalidMessageSignatureError', async () => {
    const recipient = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async bytes => {
      await verifyBatchAck(bytes, recipient, recipient).then(() => assert.fail('junk verified'), err => assert.ok(err instanceof InvalidMessageSignatureError, err.message))
    }), { numRuns: 300 })
  })

  it('a frame of receipts round-trips any sequence number, status and reason', () => {
    const status = fc.constantFrom(...Object.values(Receipt.Status).filter((s): s is Receipt.Status => typeof s === 'string'))
    const receipt = fc.record({ seq: fc.nat({ max: 2 ** 32 - 1 }), status, reason: fc.string({ maxLength: 200 }) })
    fc.assert(fc.property(fc.array(receipt, { maxLength: 64 }), fc.option(fc.uint8Array({ maxLength: 300 }), { nil: undefined }), (receipts, ack) => {
      const decoded = Receipts.decode(Receipts.encode({ receipts, ack: ack as Uint8Array<ArrayBuffer> | undefined }))
      assert.deepEqual(decoded.receipts.map(r => ({ seq: r.seq, status: r.status, reason: r.reason })), receipts.map(r => ({ seq: r.seq, status: r.status, reason: r.reason })))
      assert.deepEqual(decoded.ack, ack)
    }), { numRuns: 300 })
  })

  it('remembers the ids seen after a restart, and a marker written while they are read is not missed', async () => {
    const datastore = new MemoryDatastore()
    const prefix = '/presence-mesh/im/seen'
    await datastore.put(new Key(`${prefix}/alice/m1`), fromString('1'))
    await datastore.put(new Key(`${prefix}/alicex/m2`), fromString('1'))
    const seen = new SeenIds(datastore, prefix)
    const reading = seen.has('alice', 'm1')
    // committed while the first read is under way
    seen.add('alice', 'm3')
    assert.equal(await reading, true)
    assert.equal(await seen.has('alice', 'm3'), true)
    assert.equal(await seen.has('alice', 'm2'), false, 'another sender\'s id')
    assert.equal(await new SeenIds(datastore, prefix).has('alicex', 'm2'), true)
  })

  describe('on real nodes', () => {
    const { start } = nodesPerTest()

    it('carries hundreds of messages in flight on one stream, each delivered once', async () => {
      const [a, b] = await Promise.all([start(), start({ messaging: { inbox: { strangerBurst: 10_000, strangerMessages: 10_000 } } })])
      await connect(a, b)
      const results = await Promise.all(Array.from({ length: 300 }, async (_, i) => a.libp2p.services.im.send(b.peerId, { body: `message ${i}` })))
      assert.deepEqual(results.filter(r => r.status !== 'delivered'), [])
      const inbox = await b.libp2p.services.im.inbox()
      assert.equal(inbox.length, 300)
      assert.equal(new Set(inbox.map(m => m.message.id)).size, 300)
      // one stream carried them all: the recipient holds one inbound IM stream from a
      const streams = b.libp2p.getConnections(a.peerId).flatMap(c => c.streams).filter(s => s.protocol === IM_PROTOCOL)
      assert.equal(streams.length, 1)
    })

    it('a lone message whose store fails gets no ack, though its ack is signed while it commits', async () => {
      // the recipient's batches that hold an inbox entry fail while `failing` is set
      let failing = true
      const datastore = new MemoryDatastore()
      const batch = datastore.batch.bind(datastore)
      datastore.batch = () => {
        const inner = batch()
        let inbox = false
        return {
          put: (key, value) => {
            inbox ||= key.toString().startsWith('/presence-mesh/im/inbox')
            inner.put(key, value)
          },
          delete: key => { inner.delete(key) },
          commit: async () => {
            if (inbox && failing) throw new Error('disk full')
            await inner.commit()
          }
        }
      }
      const [a, b] = await Promise.all([start(), start({ datastore })])
      await connect(a, b)
      const refused = await a.libp2p.services.im.send(b.peerId, { body: 'not stored' })
      assert.equal(refused.status, 'failed')
      assert.match(`${refused.reason} ${refused.detail}`, /invalid.*could not take/)
      assert.deepEqual(await b.libp2p.services.im.inbox(), [])
      failing = false
      const delivered = await a.libp2p.services.im.send(b.peerId, { body: 'stored' })
      assert.equal(delivered.status, 'delivered')
      assert.deepEqual((await b.libp2p.services.im.inbox()).map(m => toString(m.message.body)), ['stored'])
    })
  })
})

describe('answers without a status (0 is UNSPECIFIED)', function () {
  this.timeout(30_000)
  const nodes = nodesPerTest()

  it('a receipt without a status fails the message as invalid, at once, instead of reading as delivered', async () => {
    const recipient = await foreignNode()
    await recipient.handle(IM_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      await lp.read()
      await lp.write(Receipts.encode({ receipts: [{ seq: 0, status: Receipt.Status.STATUS_UNSPECIFIED, reason: '' }] }))
    }, { runOnLimitedConnection: true })
    try {
      const sender = await nodes.start()
      await sender.libp2p.dial(recipient.getMultiaddrs()[0])
      const started = Date.now()
      const result = await sender.libp2p.services.im.send(recipient.peerId, { body: 'hello' })
      assert.equal(result.status, 'failed')
      assert.match(String(result.reason), /invalid/)
      assert.ok(Date.now() - started < 5_000, 'a final answer is not retried')
    } finally {
      await recipient.stop()
    }
  })

  it('a mailbox answer without a status is a refusal, not a deposit', async () => {
    const relay = await foreignNode()
    await relay.handle(DEPOSIT_PROTOCOL, async (stream) => {
      const pb = pbStream(stream)
      await pb.read(Deposit)
      await pb.write({} as any, DepositResult)
      await stream.close()
    }, { runOnLimitedConnection: true })
    try {
      const sender = await nodes.start()
      await sender.libp2p.dial(relay.getMultiaddrs()[0])
      const result = await sender.libp2p.services.mailbox.deposit(relay.peerId, sender.peerId, new Uint8Array(64))
      assert.ok(result.status === 'refused', result.status)
      assert.match(result.reason, /without a status/)
    } finally {
      await relay.stop()
    }
  })
})
