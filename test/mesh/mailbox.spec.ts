import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pbStream } from '@libp2p/utils'
import { fromString } from 'uint8arrays/from-string'
import { toString } from 'uint8arrays/to-string'
import { DEPOSIT_PROTOCOL } from '../../src/mailbox/constants.js'
import { Deposit, DepositResult } from '../../src/mailbox/pb/mailbox.js'
import { connect, startNode, stopAll } from '../helpers/nodes.js'
import { tempDir, waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

describe('mailboxes on relay nodes', function () {
  this.timeout(60_000)
  const nodes: PresenceMeshNode[] = []
  afterEach(async () => stopAll(...nodes.splice(0)))

  async function relay (mailbox = {}): Promise<PresenceMeshNode> {
    const node = await startNode({ relay: true, mailbox })
    nodes.push(node)
    return node
  }

  it('hold messages for an offline recipient, deliver them when it returns, and tell the sender', async () => {
    const dir = await tempDir()
    try {
      const r = await relay()
      const sender = await startNode()
      nodes.push(sender)
      await connect(sender, r)
      let recipient = await startNode({ home: dir.path })
      const recipientId = recipient.peerId
      await connect(recipient, r)
      await recipient.stop()

      const secret = 'meet at the usual place, 8pm'
      const others = ['bring the map', 'and the key']
      const results = await Promise.all([secret, ...others].map(async body => sender.libp2p.services.im.send(recipientId, { body })))
      for (const result of results) assert.equal(result.status, 'stored', JSON.stringify(result))

      // the mailbox holds only ciphertext: the text appears nowhere in its datastore
      for await (const { value } of r.datastore.query({})) {
        assert.ok(!toString(value, 'latin1').includes('usual place'), 'the relay can read the message')
      }

      // all three are acknowledged, by one signed ack left for the sender in the same mailbox
      const acked = new Set<string>()
      const delivered = new Promise(resolve => sender.libp2p.services.im.addEventListener('receipt', e => {
        if (e.detail.status === 'delivered') acked.add(e.detail.id)
        if (acked.size === 3) resolve(undefined)
      }))
      recipient = await startNode({ home: dir.path })
      nodes.push(recipient)
      await connect(recipient, r)
      await waitFor(async () => (await recipient.libp2p.services.im.inbox()).length === 3, 15_000, 'the drained messages')
      const inbox = await recipient.libp2p.services.im.inbox()
      assert.deepEqual(inbox.map(stored => toString(stored.message.body)).sort(), [secret, ...others].sort())
      assert.ok(inbox.every(stored => stored.message.from.equals(sender.peerId)))
      await delivered
      const sent = await sender.libp2p.services.im.sent()
      assert.deepEqual(sent.map(s => s.outcome?.status), ['delivered', 'delivered', 'delivered'])
      assert.deepEqual([...acked].sort(), results.map(result => result.id).sort())
      // drained means deleted: a second connection brings nothing twice
      assert.equal(await recipient.libp2p.services.mailbox.drain(r.peerId), 0)
    } finally {
      await dir.remove()
    }
  })

  it('refuse boxes beyond the recipient\'s quota, clearly', async () => {
    // one depositor may fill the whole box here: what is tested is the box's own limit
    const r = await relay({ boxItems: 2, senderShare: 1, strangersShare: 1 })
    const client = await startNode()
    nodes.push(client)
    await connect(client, r)
    const absent = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const results = []
    for (let i = 0; i < 3; i++) {
      results.push(await client.libp2p.services.mailbox.deposit(r.peerId, absent, fromString(`box ${i}`)))
    }
    assert.deepEqual(results.map(r => r.status), ['stored', 'stored', 'box-full'])
    assert.match((results[2] as { reason: string }).reason, /mailbox is full/)
  })

  it('let boxes expire', async () => {
    const r = await relay({ ttlMs: 1_000 })
    const owner = await startNode()
    nodes.push(owner)
    owner.libp2p.services.mailbox.handle(async () => { throw new Error('nothing should be left') })
    const stranger = await startNode()
    nodes.push(stranger)
    await connect(stranger, r)
    assert.equal((await stranger.libp2p.services.mailbox.deposit(r.peerId, owner.peerId, fromString('soon gone'))).status, 'stored')
    assert.equal(r.libp2p.services.mailbox.usage().items, 1)
    // the relay's sweep deletes it without anyone asking
    await waitFor(() => r.libp2p.services.mailbox.usage().items === 0, 10_000, 'the expired box swept')
    await connect(owner, r)
    assert.equal(await owner.libp2p.services.mailbox.drain(r.peerId), 0)
  })

  it('answer a hostile deposit without crashing, and only the owner drains', async () => {
    const r = await relay()
    const attacker = await startNode()
    nodes.push(attacker)
    await connect(attacker, r)
    const stream = await attacker.libp2p.dialProtocol(r.peerId, DEPOSIT_PROTOCOL)
    const pb = pbStream(stream)
    await pb.write({ recipient: fromString('not a peer id'), box: fromString('x') }, Deposit)
    const answer = await pb.read(DepositResult)
    assert.equal(answer.status, DepositResult.Status.STATUS_REFUSED)
    await stream.close()

    const victim = await startNode()
    nodes.push(victim)
    assert.equal((await attacker.libp2p.services.mailbox.deposit(r.peerId, victim.peerId, fromString('for the victim'))).status, 'stored')
    // the attacker drains its own (empty) mailbox, never the victim's
    attacker.libp2p.services.mailbox.handle(async () => { throw new Error('got someone else\'s mail') })
    assert.equal(await attacker.libp2p.services.mailbox.drain(r.peerId), 0)
    assert.ok(r.libp2p.getConnections().length > 0, 'the relay is still up')
  })
})
