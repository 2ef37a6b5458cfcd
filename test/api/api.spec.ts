import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import { ApiClient } from '../../src/api/client.js'
import { ApiError } from '../../src/api/errors.js'
import { apiNode, type ApiNode } from '../helpers/api.js'
import { connect, startNode } from '../helpers/nodes.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

describe('local control API', function () {
  this.timeout(30_000)
  let api: ApiNode
  let node: PresenceMeshNode
  let client: ApiClient
  let other: PresenceMeshNode

  before(async () => {
    api = await apiNode()
    ;({ node, client } = api)
    other = await startNode()
  })
  after(async () => {
    await other?.stop()
    await api?.close()
  })

  async function raw (path: string, init: RequestInit = {}): Promise<{ status: number, body: any }> {
    const response = await fetch(`${client.url}${path}`, init)
    return { status: response.status, body: await response.json() }
  }

  it('listens on 127.0.0.1 and keeps its token owner-only in the home', async () => {
    assert.match(client.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.equal((await stat(`${api.home}/api-token`)).mode & 0o777, 0o600)
    const endpoint = JSON.parse(await readFile(`${api.home}/api.json`, 'utf8'))
    assert.equal(endpoint.url, client.url)
  })

  it('answers id with peer id, URI and addresses', async () => {
    const me = await client.request('GET', '/v1/id')
    assert.equal(me.peerId, node.peerId.toString())
    assert.equal(me.uri, `pres:${node.peerId.toString()}`)
    assert.ok(me.addresses.length > 0)
  })

  it('refuses a missing or wrong token with 401', async () => {
    const missing = await raw('/v1/id')
    assert.equal(missing.status, 401)
    assert.equal(missing.body.error.code, 'unauthorized')
    const wrong = await raw('/v1/id', { headers: { Authorization: 'Bearer not-the-token' } })
    assert.equal(wrong.status, 401)
    const events = await fetch(`${client.url}/v1/events`)
    assert.equal(events.status, 401, 'the event stream is guarded too')
    await events.body?.cancel()
  })

  it('answers malformed input with 400 and a JSON error, and keeps running', async () => {
    const token = (await readFile(`${api.home}/api-token`, 'utf8')).trim()
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }
    const badJson = await raw('/v1/connect', { method: 'POST', headers, body: '{"multiaddr":' })
    assert.equal(badJson.status, 400)
    assert.equal(badJson.body.error.code, 'bad_json')
    await assert.rejects(client.request('POST', '/v1/connect', { multiaddr: 'nonsense' }), (err: ApiError) => err.status === 400)
    await assert.rejects(client.request('POST', '/v1/connect', { multiaddr: 42 }), (err: ApiError) => err.status === 400 && /multiaddr/.test(err.message))
    await assert.rejects(client.request('POST', '/v1/connect', [1, 2]), (err: ApiError) => err.status === 400)
    await assert.rejects(client.request('GET', '/v1/nothing-here'), (err: ApiError) => err.status === 404)
    await assert.rejects(client.request('DELETE', '/v1/id'), (err: ApiError) => err.status === 405)
    const huge = await raw('/v1/connect', { method: 'POST', headers, body: JSON.stringify({ multiaddr: 'x'.repeat(2 * 1024 * 1024) }) })
    assert.equal(huge.status, 413)
    // still serving
    assert.equal((await client.request('GET', '/v1/id')).peerId, node.peerId.toString())
  })

  it('connects to a peer and pushes the connection on the event stream', async () => {
    const controller = new AbortController()
    const events = await client.events({ signal: controller.signal })
    const seen = (async () => {
      for await (const event of events) {
        if (event.type === 'peer:connect') return event.data as { peerId: string }
      }
    })()
    const result = await client.request('POST', '/v1/connect', { multiaddr: other.libp2p.getMultiaddrs()[0].toString() })
    assert.equal(result.peerId, other.peerId.toString())
    assert.equal((await seen)?.peerId, other.peerId.toString())
    controller.abort()
    const { peers } = await client.request('GET', '/v1/peers')
    assert.ok(peers.some((p: { peerId: string }) => p.peerId === other.peerId.toString()))
  })

  it('answers the first requests of every route family on a fresh node, asked at once', async () => {
    // each family's code loads on its first request (src/api/serve.ts): requests that race the load wait for it
    const fresh = await apiNode()
    try {
      const c = fresh.client
      const controller = new AbortController()
      const [events, ids, peers, presence, access, policy, messages, contacts] = await Promise.all([
        c.events({ signal: controller.signal }),
        Promise.all([c.call('id'), c.call('id')]),
        c.call('peers'),
        c.call('presence'),
        c.call('access'),
        c.call('inboxPolicy'),
        c.call('messages', { query: { box: 'sent' } }),
        c.call('contacts')
      ])
      assert.deepEqual(ids.map(id => id.peerId), [fresh.node.peerId.toString(), fresh.node.peerId.toString()])
      assert.deepEqual(peers.peers, [])
      assert.equal(presence.basic, 'open')
      assert.equal(typeof access.default, 'string')
      assert.equal(policy.mode, 'everyone')
      assert.deepEqual(messages.messages, [])
      assert.deepEqual(contacts.contacts, [])
      // the event stream answered only once the node's events were subscribed: a change made now is pushed
      const change = (async () => {
        for await (const event of events) if (event.type === 'contacts:change') return event.data as { contact: { name: string } }
      })()
      await c.call('addContact', { body: { target: other.presUri, name: 'Other' } })
      assert.equal((await change)?.contact.name, 'Other')
      controller.abort()
    } finally {
      await fresh.close()
    }
  })

  it('reports an unreachable peer as a dial failure, not a crash', async () => {
    const dead = await startNode()
    const address = dead.libp2p.getMultiaddrs()[0].toString()
    await dead.stop()
    await assert.rejects(client.request('POST', '/v1/connect', { multiaddr: address }), (err: ApiError) => err.status === 502 || err.status === 504)
    await connect(node, other)
  })
})
