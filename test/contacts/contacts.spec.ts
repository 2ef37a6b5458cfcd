import assert from 'node:assert/strict'
import { pbStream } from '@libp2p/utils'
import { INVITE_PROTOCOL } from '../../src/contacts/constants.js'
import { Redeem, RedeemResponse } from '../../src/contacts/pb/invite.js'
import { foreignNode, openRaw } from '../adversarial/foreign-node.js'
import { connect, nodesPerTest, startNode } from '../helpers/nodes.js'
import { tempDir, waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

const contactsOf = (node: PresenceMeshNode): string[] => node.libp2p.services.contacts.list().map(c => `${c.name}=${c.id}`)
const subscribedTo = (node: PresenceMeshNode, other: PresenceMeshNode): boolean => node.libp2p.services.presence.subscriptions().some(s => s.target.equals(other.peerId) && s.grantedUntil > Date.now())
const circuits = (node: PresenceMeshNode): string[] => node.libp2p.getMultiaddrs().map(String).filter(a => a.includes('/p2p-circuit'))

describe('contacts and invitations between real nodes', function () {
  this.timeout(90_000)
  const { start } = nodesPerTest()

  it('an accepted invitation makes each the other\'s contact, approved to watch although both ask strangers first', async () => {
    const [alice, bob] = await Promise.all([start(), start()])
    await alice.libp2p.services.presence.setDefaultPolicy('ask')
    await bob.libp2p.services.presence.setDefaultPolicy('ask')
    const { invite } = await alice.libp2p.services.contacts.invite({ name: 'Alice' })
    const result = await bob.libp2p.services.contacts.add({ invite, me: 'Bob' })
    assert.equal(result.invitation, 'accepted')
    assert.deepEqual(contactsOf(bob), [`Alice=${alice.peerId.toString()}`])
    await waitFor(() => contactsOf(alice).includes(`Bob=${bob.peerId.toString()}`), 10_000, 'Bob in Alice\'s list')
    // both subscriptions registered: nobody had to approve anything by hand
    await waitFor(() => subscribedTo(bob, alice) && subscribedTo(alice, bob), 20_000, 'both subscriptions granted')
    assert.deepEqual(alice.libp2p.services.presence.policy().pending, {})
    assert.deepEqual(bob.libp2p.services.presence.policy().pending, {})

    await alice.libp2p.services.presence.publish({ availability: 'busy', note: { text: 'lunch' } })
    await waitFor(() => bob.libp2p.services.contacts.get('alice')?.presence?.note === 'lunch', 10_000, 'Alice\'s note in Bob\'s list')
    assert.equal(bob.libp2p.services.contacts.get('Alice')?.presence?.availability, 'busy')

    // the `contacts` inbox policy means this list: a contact gets in, a stranger is refused
    await alice.libp2p.services.im.setPolicy({ mode: 'contacts' })
    const stranger = await start()
    await connect(stranger, alice)
    assert.equal((await bob.libp2p.services.im.send(alice.peerId, { body: 'hi' })).status, 'delivered')
    assert.equal((await stranger.libp2p.services.im.send(alice.peerId, { body: 'hi' })).reason, 'refused')
    // removed: no longer a contact, its subscription ends
    await alice.libp2p.services.contacts.remove('bob')
    assert.equal(alice.libp2p.services.presence.subscriptions().some(s => s.target.equals(bob.peerId)), false)
    assert.equal((await bob.libp2p.services.im.send(alice.peerId, { body: 'again' })).reason, 'refused')
  })

  it('refuses a used invitation and an expired one, saying why', async () => {
    const [alice, bob, carol] = await Promise.all([start(), start(), start()])
    const { invite } = await alice.libp2p.services.contacts.invite({ name: 'Alice' })
    await bob.libp2p.services.contacts.add({ invite })
    // Bob again (a lost answer, retried) is no second use
    assert.equal((await bob.libp2p.services.contacts.add({ invite })).invitation, 'accepted')
    await assert.rejects(carol.libp2p.services.contacts.add({ invite }), /already used/)
    assert.equal(carol.libp2p.services.contacts.list().length, 0)

    const expiring = await alice.libp2p.services.contacts.invite({ expiresInMs: 300 })
    await new Promise(resolve => setTimeout(resolve, 400))
    await assert.rejects(carol.libp2p.services.contacts.add({ invite: expiring.invite }), /expired on/)
    await assert.rejects(carol.libp2p.services.contacts.add({ invite: `${invite.slice(0, -3)}abc` }), /damaged|signature/)
    assert.equal(carol.libp2p.services.contacts.list().length, 0)
  })

  it('answers a stranger guessing secrets or sending garbage with a refusal, and keeps working', async () => {
    const alice = await start()
    const { invite } = await alice.libp2p.services.contacts.invite({ name: 'Alice' })
    const attacker = await foreignNode()
    try {
      const address = alice.libp2p.getMultiaddrs()[0]
      for (let i = 0; i < 5; i++) {
        const stream = await openRaw(attacker, address, INVITE_PROTOCOL)
        const pb = pbStream(stream)
        await pb.write({ secret: crypto.getRandomValues(new Uint8Array(16)), name: 'x'.repeat(64) }, Redeem)
        const response = await pb.read(RedeemResponse)
        assert.equal(response.status, RedeemResponse.Status.STATUS_REFUSED)
        assert.match(response.reason, /did not issue/)
        // a stream counts against the stranger's allowance until both ends closed it
        await stream.close()
      }
      // bytes that are no Redeem: the stream is dropped, nothing else
      const junk = await openRaw(attacker, address, INVITE_PROTOCOL)
      junk.send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]))
      // a measured quiet window: the junk, were it taken, would add a contact within milliseconds
      await new Promise(resolve => setTimeout(resolve, 300))
      assert.equal(alice.libp2p.services.contacts.list().length, 0)
    } finally {
      await attacker.stop()
    }
    // the real invitation still works
    const bob = await start()
    assert.equal((await bob.libp2p.services.contacts.add({ invite })).invitation, 'accepted')
  })

  it('reaches a firewalled inviter through the relay circuit its invitation carries', async () => {
    const relay = await start({ relay: true })
    const alice = await start({ firewalled: true, bootstrap: [relay.libp2p.getMultiaddrs()[0].toString()] })
    await waitFor(() => circuits(alice).length >= 1, 20_000, 'a reservation')
    const { invite } = await alice.libp2p.services.contacts.invite({ name: 'Alice' })
    // Bob knows nothing but the invitation: no connection to the relay, no bootstrap
    const bob = await start()
    const result = await bob.libp2p.services.contacts.add({ invite, me: 'Bob' })
    assert.equal(result.invitation, 'accepted')
    // Alice may dial out (a NAT allows that), but nobody dialled her directly
    assert.ok(bob.libp2p.getConnections(alice.peerId).every(c => c.remoteAddr.toString().includes('/p2p-circuit') || c.direction === 'inbound'), 'Bob dialled the firewalled node directly')
    await waitFor(() => contactsOf(alice).includes(`Bob=${bob.peerId.toString()}`), 10_000, 'Bob in Alice\'s list')
    await alice.libp2p.services.presence.publish({ note: { text: 'behind a NAT' } })
    await waitFor(() => bob.libp2p.services.contacts.get('Alice')?.presence?.note === 'behind a NAT', 20_000, 'Alice\'s note through the relay')
  })

  it('a firewalled node joining with a community invitation is reached through that relay', async () => {
    const relay = await start({ relay: true })
    const { invite } = await relay.libp2p.services.contacts.invite({ community: true })
    const alice = await start({ firewalled: true, join: [invite] })
    assert.deepEqual(alice.settings.bootstrap, relay.libp2p.getMultiaddrs().map(String))
    await waitFor(() => circuits(alice).some(a => a.includes(relay.peerId.toString())), 20_000, 'a reservation on the joined relay')
    const personal = await alice.libp2p.services.contacts.invite({ name: 'Alice' })
    const bob = await start()
    assert.equal((await bob.libp2p.services.contacts.add({ invite: personal.invite })).invitation, 'accepted')
  })

  it('hands an invitation over when an inviter that was offline comes back', async () => {
    const dir = await tempDir()
    let alice: PresenceMeshNode | undefined = await startNode({ home: dir.path })
    try {
      const { invite } = await alice.libp2p.services.contacts.invite({ name: 'Alice' })
      await alice.stop()
      const bob = await start()
      const result = await bob.libp2p.services.contacts.add({ invite, me: 'Bob' })
      assert.equal(result.invitation, 'pending')
      assert.equal(bob.libp2p.services.contacts.get('Alice')?.pendingInvite, invite)
      // back on another port: it meets Bob again, and identify tells Bob to hand the invitation over
      alice = await startNode({ home: dir.path })
      await connect(alice, bob)
      await waitFor(() => alice?.libp2p.services.contacts.get('Bob') != null, 15_000, 'Bob in Alice\'s list')
      await waitFor(() => bob.libp2p.services.contacts.get('Alice')?.pendingInvite == null, 10_000, 'the invitation no longer pending')
    } finally {
      await alice?.stop()
      await dir.remove()
    }
  })

  it('keeps its contacts and their subscriptions across a restart', async () => {
    const dir = await tempDir()
    const alice = await start()
    let bob: PresenceMeshNode | undefined = await startNode({ home: dir.path })
    try {
      await connect(bob, alice)
      await bob.libp2p.services.contacts.add({ target: alice.peerId, name: 'Alice' })
      await waitFor(() => subscribedTo(bob!, alice), 15_000, 'subscribed')
      await bob.stop()
      bob = await startNode({ home: dir.path })
      assert.deepEqual(contactsOf(bob), [`Alice=${alice.peerId.toString()}`])
      await connect(bob, alice)
      await waitFor(() => subscribedTo(bob!, alice), 15_000, 'the subscription registered again after the restart')
      await alice.libp2p.services.presence.publish({ note: { text: 'after your restart' } })
      await waitFor(() => bob?.libp2p.services.contacts.get('Alice')?.presence?.note === 'after your restart', 10_000, 'a notify after the restart')
      // a cancelled subscription (a `pmesh watch` that ended) is made again by the list
      await bob.libp2p.services.presence.unsubscribe(alice.peerId)
      await waitFor(() => subscribedTo(bob!, alice), 15_000, 'subscribed again')
    } finally {
      await bob?.stop()
      await dir.remove()
    }
  })
})
