import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ApiClient } from '../../src/api/client.js'
import { rawExchange, rawRequest } from './raw-http.js'
import { apiNode, type ApiNode } from '../helpers/api.js'
import type { ApiError } from '../../src/api/errors.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

async function strangerUri (): Promise<string> {
  return `pres:${peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()}`
}

describe('control API input', function () {
  this.timeout(30_000)
  let api: ApiNode
  let node: PresenceMeshNode
  let client: ApiClient
  let token: string

  before(async () => {
    api = await apiNode()
    ;({ node, client, token } = api)
  })
  after(async () => {
    await api?.close()
  })

  const refused = (status: number, message: RegExp) => (err: ApiError) => err.status === status && message.test(err.message)

  describe('partial policy updates', () => {
    it('an inbox policy edit keeps every field it does not name', async () => {
      const friend = await strangerUri()
      await client.call('inboxAllow', { body: { target: friend } })
      await client.call('setInboxPolicy', { body: { mode: 'contacts' } })
      const silenced = await client.call('setInboxPolicy', { body: { silent: true } })
      assert.equal(silenced.mode, 'contacts', '--silent must not erase the mode')
      assert.equal(silenced.silent, true)
      assert.deepEqual(silenced.allow, [friend.slice(5)])
      assert.deepEqual(await client.call('setInboxPolicy', { body: {} }), silenced, 'an empty edit changes nothing')
      const moded = await client.call('setInboxPolicy', { body: { mode: 'nobody' } })
      assert.equal(moded.silent, true, 'a mode change must not erase silent')
      assert.deepEqual(await client.call('inboxPolicy'), moded, 'what was answered is what is stored')
    })

    it('a presence policy edit keeps the rules and an allowed view', async () => {
      const [watcher, blocked] = [await strangerUri(), await strangerUri()]
      await client.call('setAccess', { body: { default: 'ask' } })
      await client.call('allow', { body: { target: watcher, view: 'availability' } })
      await client.call('block', { body: { target: blocked } })
      const before = await client.call('access')
      assert.deepEqual(await client.call('setAccess', { body: {} }), before, 'an empty edit changes nothing')
      const denied = await client.call('setAccess', { body: { default: 'deny' } })
      assert.equal(denied.default, 'deny')
      assert.deepEqual(denied.rules, before.rules, 'changing the default must not touch the rules')
      const again = await client.call('allow', { body: { target: watcher } })
      assert.equal(again.rules.find(r => r.uri === watcher)?.view, 'availability', 'an allow that names no view keeps the one granted')
      const fresh = await strangerUri()
      assert.equal((await client.call('allow', { body: { target: fresh } })).rules.find(r => r.uri === fresh)?.view, 'full', 'a new watcher gets the full view')
    })
  })

  describe('schema errors', () => {
    it('counts a note in user-perceived characters: 600 emoji pass, 1025 letters do not', async () => {
      // the foreign case: 600 emoji (1200 UTF-16 units) were refused as "longer than 1024 characters"
      const emoji = '😀'.repeat(300) + '👍🏽'.repeat(300)
      assert.equal((await client.call('setPresence', { body: { note: emoji } })).note, emoji)
      await assert.rejects(client.call('setPresence', { body: { note: 'é'.repeat(1025) } }), refused(400, /1024 user-perceived characters/))
      await assert.rejects(client.call('setPresence', { body: { note: '👨‍👩‍👧‍👦'.repeat(200) } }), refused(400, /4096 bytes/))
    })

    it('answers 400 naming the field, and refuses unknown fields rather than ignore them', async () => {
      const before = await client.call('inboxPolicy')
      await assert.rejects(client.request('PUT', '/v1/inbox/policy', { silnet: true }), refused(400, /Unknown field "silnet"/))
      await assert.rejects(client.request('PUT', '/v1/inbox/policy', { mode: 'friends' }), refused(400, /"mode" must be one of everyone, contacts, nobody/))
      await assert.rejects(client.request('PUT', '/v1/inbox/policy', { silent: 'yes' }), refused(400, /"silent" must be true or false/))
      await assert.rejects(client.request('POST', '/v1/messages', { to: 42, text: 'hi' }), refused(400, /"to" must be a string/))
      await assert.rejects(client.request('POST', '/v1/messages', { to: await strangerUri() }), refused(400, /exactly one of "text" and "bodyBase64"/))
      await assert.rejects(client.request('POST', '/v1/access/allow', { target: 'pres:nobody@example.com' }), refused(400, /"target" is not a presence-mesh address/))
      await assert.rejects(client.request('PUT', '/v1/presence', { contact: { emails: [1] } }), refused(400, /"contact\.emails\.0" must be a string/))
      await assert.rejects(client.request('PUT', '/v1/presence', 'open'), refused(400, /body must be a JSON object/))
      await assert.rejects(client.request('PUT', '/v1/presence', { lang: 'en' }), refused(400, /"lang" .* needs one/))
      // a node cannot dial itself: refused at once, not after the send timeout
      await assert.rejects(client.call('send', { body: { to: node.imUri, text: 'note to self' } }, { signal: AbortSignal.timeout(5_000) }), refused(400, /"to" is this node itself/))
      assert.deepEqual(await client.call('inboxPolicy'), before)
    })

    it('checks path and query parameters too', async () => {
      await assert.rejects(client.request('GET', '/v1/messages?box=trash'), refused(400, /query parameter "box" must be one of inbox, sent/))
      await assert.rejects(client.request('GET', '/v1/messages?box=sent&box=inbox'), refused(400, /"box" is given more than once/))
      await assert.rejects(client.request('GET', '/v1/peers?verbose=1'), refused(400, /Unknown query parameter "verbose"/))
      await assert.rejects(client.request('GET', '/v1/presence/%E0%A4%A'), refused(400, /percent-encoding/))
      await assert.rejects(client.request('DELETE', '/v1/subscriptions/not-a-peer'), refused(400, /path parameter "target"/))
    })
  })

  describe('malformed HTTP', () => {
    const auth = (): Array<[string, string]> => [['Authorization', `Bearer ${token}`]]

    it('answers a request target that is no URL with 400, not 500', async () => {
      const response = await rawRequest(client.url, { method: 'GET', target: 'http://[', headers: auth() })
      assert.equal(response.status, 400)
      assert.match(JSON.parse(response.body).error.message, /not a valid URL/)
    })

    it('answers what the HTTP parser cannot read with a JSON 4xx', async () => {
      for (const bytes of ['GARBAGE\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET /v1/id HTTP/1.1\r\nBad Header\r\n\r\n', 'BREW /v1/id HTTP/1.1\r\n\r\n']) {
        const response = await rawExchange(client.url, Buffer.from(bytes))
        assert.ok(response.status >= 400 && response.status < 500, `${JSON.stringify(bytes)} → ${response.status}`)
        assert.equal(typeof JSON.parse(response.body).error.code, 'string')
      }
      const huge = await rawRequest(client.url, { method: 'GET', target: '/v1/id', headers: [...auth(), ['X-Padding', 'x'.repeat(64 * 1024)]] })
      assert.equal(huge.status, 431)
      assert.equal(JSON.parse(huge.body).error.code, 'headers_too_large')
    })

    it('refuses bodies that are not JSON in UTF-8 with 415 or 400', async () => {
      const put = async (contentType: string | undefined, body: string | Uint8Array): Promise<number> => (await rawRequest(client.url, {
        method: 'PUT', target: '/v1/inbox/policy', body, headers: [...auth(), ...(contentType == null ? [] : [['Content-Type', contentType] as [string, string]])]
      })).status
      assert.equal(await put('text/plain', '{"silent":false}'), 415)
      assert.equal(await put(undefined, '{"silent":false}'), 415)
      assert.equal(await put('application/json; charset=latin1', '{"silent":false}'), 415)
      assert.equal(await put('application/json', Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])), 400)
      assert.equal(await put('application/json', '{"silent":'), 400)
      assert.equal(await put('application/json', '{"silent":false}'), 200)
      assert.equal((await client.call('id')).peerId, node.peerId.toString(), 'still serving')
    })
  })
})
