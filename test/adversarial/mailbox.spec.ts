/**
 * A stranger against a relay's mailboxes: flooding made-up recipients,
 * crowding a real user's box so a friend's message fails, waiting for
 * expiry, and what a refused sender is told. The attacker is plain libp2p
 * with the mailbox.proto codecs (mailbox-helpers.ts); the relay, the
 * recipient and its friends are real presence-mesh nodes.
 */
import assert from 'node:assert/strict'
import { Key } from 'interface-datastore'
import { toString } from 'uint8arrays/to-string'
import { DepositResult } from '../../src/mailbox/pb/mailbox.js'
import { connect, nodesPerTest } from '../helpers/nodes.js'
import { tempDir, waitFor } from '../helpers/temp.js'
import { foreignNode, type ForeignNode } from './foreign-node.js'
import { connectOrRetry, depositRaw, flood, madeUpRecipients } from './mailbox-helpers.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

const { STATUS_STORED: STORED, STATUS_SHARE_USED: SHARE_USED, STATUS_DEPOSITOR_QUOTA: DEPOSITOR_QUOTA, STATUS_RELAY_FULL: RELAY_FULL, STATUS_BOX_FULL: BOX_FULL, STATUS_TOKEN_INVALID: TOKEN_INVALID } = DepositResult.Status

/** What the relay's datastore holds in mailboxes, counted on disk rather than by its own accounting */
async function storedBytes (relay: PresenceMeshNode): Promise<number> {
  let bytes = 0
  for await (const { value } of relay.datastore.query({ prefix: '/presence-mesh/mailboxes/' })) bytes += value.byteLength
  return bytes
}

describe('adversarial: mailboxes', function () {
  this.timeout(45_000)
  const nodes = nodesPerTest()
  const attackers: ForeignNode[] = []
  afterEach(async () => Promise.all(attackers.splice(0).map(async a => a.stop())))

  async function attacker (): Promise<ForeignNode> {
    const node = await foreignNode()
    attackers.push(node)
    return node
  }

  it('one stranger flooding made-up recipients is refused at its quota, and many keep the relay bounded', async () => {
    const MiB = 1024 * 1024
    const relay = await nodes.start({ relay: true, mailbox: { depositorBytes: MiB, totalBytes: 4 * MiB } })
    const target = relay.libp2p.getMultiaddrs()[0]
    const recipients = await madeUpRecipients(16)
    const first = await flood(await attacker(), target, recipients, 32 * 1024, 200)
    // 1 MiB of 32 KiB boxes (a few bytes of protobuf each on disk aside) is 32 boxes
    assert.deepEqual([first.filter(s => s === STORED).length, first.at(-1)], [32, DEPOSITOR_QUOTA])

    // fresh identities are free: together, strangers stop at half the relay (2 MiB)
    const others = await Promise.all(Array.from({ length: 3 }, attacker))
    const runs = await Promise.all(others.map(async a => flood(a, target, recipients, 32 * 1024, 200)))
    assert.ok(runs.every(run => run.at(-1) === RELAY_FULL || run.at(-1) === DEPOSITOR_QUOTA), JSON.stringify(runs.map(r => r.at(-1))))
    assert.ok(runs.some(run => run.at(-1) === RELAY_FULL))
    const usage = relay.libp2p.services.mailbox.usage()
    assert.ok(usage.bytes <= 2 * MiB, `strangers hold ${usage.bytes} bytes`)
    assert.ok(await storedBytes(relay) <= 2 * MiB + usage.items * 128, 'the disk holds what the accounting says')
  })

  it('a stranger filling an offline user\'s box cannot stop a contact\'s message, nor a friend\'s first ones', async () => {
    const home = await tempDir()
    try {
      // 16 items a box: strangers together 8, each stranger 2
      const relay = await nodes.start({ relay: true, mailbox: { boxItems: 16, strangersShare: 1 / 2, senderShare: 1 / 8 } })
      const target = relay.libp2p.getMultiaddrs()[0]
      let alice = await nodes.start({ home: home.path })
      const aliceId = alice.peerId
      const bob = await nodes.start()
      const carol = await nodes.start()
      for (const node of [alice, bob, carol]) await connectOrRetry(async () => connect(node, relay))
      // Bob is Alice's contact: her receipt hands him her deposit token
      await alice.libp2p.services.im.allow(bob.peerId)
      await connectOrRetry(async () => connect(bob, alice))
      assert.equal((await bob.libp2p.services.im.send(aliceId, { body: 'hi, I am online' })).status, 'delivered')
      await alice.stop()
      nodes.stopped(alice)

      const box = [aliceId.toMultihash().bytes]
      assert.deepEqual(await flood(await attacker(), target, box, 2_000, 10), [STORED, STORED, SHARE_USED])
      // Carol holds no token, and still gets her share
      const fromCarol = await carol.libp2p.services.im.send(aliceId, { body: 'from carol, no token' })
      assert.equal(fromCarol.status, 'stored', JSON.stringify(fromCarol))
      const crowd = await Promise.all(Array.from({ length: 3 }, attacker))
      const rest = []
      for (const a of crowd) rest.push(...await flood(a, target, box, 2_000, 10))
      assert.equal(rest.at(-1), BOX_FULL, 'the strangers\' half of Alice\'s box is full')
      assert.equal(relay.libp2p.services.mailbox.usage().items, 8)

      const fromBob = await bob.libp2p.services.im.send(aliceId, { body: 'from bob, with her token' })
      assert.equal(fromBob.status, 'stored', JSON.stringify(fromBob))

      // Bob's token, leaked to a stranger, opens nothing: it names Bob, and the relay knows who deposits
      const leaked = await bob.datastore.get(new Key(`/presence-mesh/im/deposit-tokens/${aliceId.toString()}`))
      const thief = await attacker()
      assert.equal((await depositRaw(thief, target, box[0], new Uint8Array(100), leaked)).status, TOKEN_INVALID)
      assert.equal((await depositRaw(thief, target, box[0], new Uint8Array(100), crypto.getRandomValues(new Uint8Array(200)))).status, TOKEN_INVALID)
      assert.equal(relay.libp2p.services.mailbox.usage().items, 9, 'eight strangers\' boxes and Bob\'s')

      const delivered = new Promise(resolve => bob.libp2p.services.im.addEventListener('receipt', e => { if (e.detail.id === fromBob.id && e.detail.status === 'delivered') resolve(e.detail) }))
      alice = await nodes.start({ home: home.path })
      await connectOrRetry(async () => connect(alice, relay))
      const inbox = await waitFor(async () => {
        const messages = await alice.libp2p.services.im.inbox()
        return messages.length === 3 ? messages : undefined
      }, 20_000, 'Bob\'s and Carol\'s messages drained')
      assert.deepEqual(inbox.map(m => toString(m.message.body)).sort(), ['from bob, with her token', 'from carol, no token', 'hi, I am online'])
      await delivered
    } finally {
      await home.remove()
    }
  })

  it('boxes expire after their time, unasked, and their room comes back', async () => {
    const relay = await nodes.start({ relay: true, mailbox: { ttlMs: 1_000, depositorItems: 2 } })
    const target = relay.libp2p.getMultiaddrs()[0]
    const stranger = await attacker()
    const recipients = await madeUpRecipients(2)
    assert.deepEqual(await flood(stranger, target, recipients, 1_000, 5), [STORED, STORED, DEPOSITOR_QUOTA])
    await waitFor(() => relay.libp2p.services.mailbox.usage().items === 0, 10_000, 'the sweep')
    assert.equal(await storedBytes(relay), 0)
    assert.deepEqual(await flood(stranger, target, recipients, 1_000, 1), [STORED])
  })

  it('a sender refused by every mailbox is told why, not just "unreachable"', async () => {
    const relay = await nodes.start({ relay: true, mailbox: { boxItems: 8, senderShare: 1 / 4 } })
    // the recipient's addresses are looked up in the DHT before each mailbox deposit: bounded short here
    const sender = await nodes.start({ messaging: { attemptTimeout: 1_000 } })
    await connectOrRetry(async () => connect(sender, relay))
    const away = await nodes.start()
    const awayId = away.peerId
    await away.stop()
    nodes.stopped(away)
    const results = []
    for (let i = 0; i < 3; i++) results.push(await sender.libp2p.services.im.send(awayId, { body: `message ${i}` }))
    assert.deepEqual(results.map(r => r.status), ['stored', 'stored', 'failed'])
    const refused = results[2]
    assert.equal(refused.reason, 'mailbox-refused')
    assert.match(refused.detail ?? '', new RegExp(`mailbox ${relay.peerId.toString()} refused: your share of this mailbox is used \\(2 of 2 messages`))
    const [sent] = (await sender.libp2p.services.im.sent()).filter(m => m.message.id === refused.id)
    assert.equal(sent.outcome?.status, 'failed')
  })
})
