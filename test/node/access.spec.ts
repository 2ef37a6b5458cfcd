/**
 * The node's access rules as a library caller meets them: blocking someone
 * through node.access covers their messages as well as our presence, and
 * revoking lifts both — without the control API in between.
 */
import assert from 'node:assert/strict'
import { connect, nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'

describe('node.access: rules across presence and messaging', function () {
  this.timeout(60_000)
  const nodes = nodesPerTest()

  it('a block refuses the person\'s messages too, and revoking it lets them in again', async () => {
    const alice = await nodes.start()
    const bob = await nodes.start()
    await connect(bob, alice)

    const policy = await alice.access.block(bob.peerId)
    assert.equal(policy.rules[bob.peerId.toString()]?.rule, 'block')
    assert.ok(alice.libp2p.services.im.policy().block.includes(bob.peerId.toString()), 'the inbox policy blocks bob too')
    await bob.libp2p.services.im.send(alice.peerId, { body: 'while blocked' })
    assert.equal((await alice.libp2p.services.im.inbox()).length, 0, 'a blocked person\'s message never reaches the inbox')

    await alice.access.revoke(bob.peerId)
    assert.equal(alice.libp2p.services.im.policy().block.length, 0)
    const sent = await bob.libp2p.services.im.send(alice.peerId, { body: 'after the block' })
    assert.equal(sent.status, 'delivered')
    await waitFor(async () => (await alice.libp2p.services.im.inbox()).length === 1, 5_000, 'the message after the block')
    const [stored] = await alice.libp2p.services.im.inbox()
    assert.equal(new TextDecoder().decode(stored.message.body), 'after the block')
  })

  it('revoking an allow leaves a messaging block someone set on its own', async () => {
    const alice = await nodes.start()
    const bob = await nodes.start()
    await alice.libp2p.services.im.block(bob.peerId)
    await alice.access.allow(bob.peerId, 'basic')
    await alice.access.revoke(bob.peerId)
    assert.ok(alice.libp2p.services.im.policy().block.includes(bob.peerId.toString()), 'only a presence block is lifted with the rule')
  })
})
