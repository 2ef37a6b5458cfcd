import assert from 'node:assert/strict'
import { ApiError } from '../../src/api/errors.js'
import { apiNode, type ApiNode } from '../helpers/api.js'
import { waitFor } from '../helpers/temp.js'

describe('control API: contacts, invitations and clearing presence fields', function () {
  this.timeout(60_000)
  let alice: ApiNode
  let bob: ApiNode

  before(async () => {
    [alice, bob] = await Promise.all([apiNode(), apiNode()])
  })
  after(async () => {
    await Promise.all([alice?.close(), bob?.close()])
  })

  async function refused (promise: Promise<unknown>, status: number, message: RegExp): Promise<void> {
    await assert.rejects(promise, (err: any) => err instanceof ApiError && err.status === status && message.test(err.message))
  }

  it('POST /v1/invites, POST /v1/contacts with it, GET, PATCH and DELETE /v1/contacts/:name-or-id', async () => {
    const invite = await alice.client.call('invite', { body: { name: 'Alice', expires: 3600 } })
    assert.equal(invite.kind, 'personal')
    assert.equal(invite.name, 'Alice')
    assert.ok(Date.parse(invite.expires ?? '') > Date.now() + 3500_000)
    const added = await bob.client.call('addContact', { body: { invite: invite.invite, me: 'Bob' } })
    assert.equal(added.invitation, 'accepted')
    assert.equal(added.contact.name, 'Alice')
    assert.equal(added.contact.uri, alice.node.presUri)
    await waitFor(async () => (await alice.client.call('contacts')).contacts.some(c => c.name === 'Bob'), 10_000, 'Bob in Alice\'s list')

    // a contact by name (any case), peer id or URI
    for (const ref of ['alice', alice.node.peerId.toString(), alice.node.presUri, alice.node.imUri]) {
      assert.equal((await bob.client.call('contact', { params: { contact: ref } })).peerId, alice.node.peerId.toString())
    }
    const controller = new AbortController()
    const events = await bob.client.events({ signal: controller.signal })
    assert.equal((await bob.client.call('updateContact', { params: { contact: 'Alice' }, body: { name: 'Ally' } })).name, 'Ally')
    for await (const event of events) {
      const data = event.data as any
      if (event.type === 'contacts:change' && data.contact.name === 'Ally') {
        assert.equal(data.change, 'updated')
        assert.equal(data.contact.peerId, alice.node.peerId.toString())
        break
      }
    }
    controller.abort()
    await refused(bob.client.call('contact', { params: { contact: 'Alice' } }), 404, /No contact "Alice"/)
    await refused(bob.client.call('updateContact', { params: { contact: 'Ally' }, body: { name: 'pres:x' } }), 400, /looks like an address/)
    await refused(bob.client.call('addContact', { body: { invite: invite.invite, target: alice.node.presUri } as any }), 400, /exactly one of "target" and "invite"/)
    await refused(bob.client.request('POST', '/v1/contacts', { target: alice.node.presUri, nickname: 'x' }), 400, /nickname/)
    await refused(bob.client.call('addContact', { body: { target: bob.node.presUri } }), 400, /this node itself/)
    assert.equal((await bob.client.call('removeContact', { params: { contact: 'ally' } })).removed.name, 'Ally')
    assert.deepEqual((await bob.client.call('contacts')).contacts, [])
    await refused(bob.client.call('removeContact', { params: { contact: 'ally' } }), 404, /no contact "ally"/i)
  })

  it('clears the note and the contact card, and offline keeps no busy', async () => {
    await alice.client.call('setPresence', { body: { availability: 'busy', note: 'lunch', contact: { emails: ['a@example.org'], postal: '1 Main St', web: 'https://a.example' } } })
    const cleared = await alice.client.call('setPresence', { body: { note: null, contact: {} } })
    assert.equal(cleared.note, null)
    assert.deepEqual(cleared.contact, { emails: [], phones: [], postal: null, web: null })
    assert.equal(cleared.availability, 'busy')
    const offline = await alice.client.call('setPresence', { body: { basic: 'closed' } })
    assert.deepEqual([offline.basic, offline.availability], ['closed', 'unknown'])
    const back = await alice.client.call('setPresence', { body: { basic: 'open' } })
    assert.deepEqual([back.basic, back.availability], ['open', 'available'])
  })
})
