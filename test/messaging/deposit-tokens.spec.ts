import assert from 'node:assert/strict'
import { Key } from 'interface-datastore'
import { verifyDepositToken } from '../../src/mailbox/deposit-token.js'
import { connect, nodesPerTest } from '../helpers/nodes.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

describe('deposit tokens on receipts', function () {
  this.timeout(30_000)
  const nodes = nodesPerTest()

  async function heldToken (sender: PresenceMeshNode, recipient: PresenceMeshNode): Promise<Uint8Array | undefined> {
    const key = new Key(`/presence-mesh/im/deposit-tokens/${recipient.peerId.toString()}`)
    return await sender.datastore.has(key) ? sender.datastore.get(key) : undefined
  }

  it('go to contacts only, and the sender keeps a valid one for the recipient', async () => {
    const alice = await nodes.start()
    const bob = await nodes.start()
    await connect(bob, alice)
    assert.equal((await bob.libp2p.services.im.send(alice.peerId, { body: 'from a stranger' })).status, 'delivered')
    assert.equal(await heldToken(bob, alice), undefined, 'a stranger gets no token')

    await alice.libp2p.services.im.allow(bob.peerId)
    assert.equal((await bob.libp2p.services.im.send(alice.peerId, { body: 'from a contact' })).status, 'delivered')
    const token = await heldToken(bob, alice)
    assert.ok(token != null, 'a contact keeps the token its receipt carried')
    const expiresAt = await verifyDepositToken(token, alice.peerId, bob.peerId)
    assert.ok(expiresAt > Date.now() + 29 * 86_400_000, 'valid about 30 days')

    await alice.libp2p.services.im.block(bob.peerId)
    await bob.libp2p.services.im.send(alice.peerId, { body: 'blocked now' })
    assert.deepEqual(await heldToken(bob, alice), token, 'a blocked sender gets no new token; the one it holds stays until it expires')
  })
})
