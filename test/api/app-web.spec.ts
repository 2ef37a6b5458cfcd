/**
 * The web app's layer of the API server, as a browser or an attacker's page
 * would meet it: sign-in by one-time code, the session cookie, Host and
 * Origin checks, the Content-Security-Policy. No browser needed: the
 * requests carry the headers a browser would send.
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import fc from 'fast-check'
import { AppSessions, CODE_TTL_MS, SESSION_IDLE_MS } from '../../src/api/app-sessions.js'
import { apiNode, type ApiNode } from '../helpers/api.js'

interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: string }

/** One request with exactly these headers (node:http lets a test set Host, as a rebinding page's browser would) */
async function send (url: string, path: string, options: { method?: string, headers?: Record<string, string>, body?: string } = {}): Promise<Answer> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: options.method ?? 'GET', headers: { Host: `127.0.0.1:${port}`, ...options.headers }, timeout: 10_000 }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.end(options.body)
  })
}

/** The session cookie a sign-in link sets, as `name=value` */
async function signIn (served: ApiNode): Promise<string> {
  const link = new URL(served.served.appLink())
  const answer = await send(served.served.api.url, `${link.pathname}${link.search}`, { headers: { 'Sec-Fetch-Site': 'none' } })
  assert.equal(answer.status, 303)
  const cookie = String(answer.headers['set-cookie'])
  return cookie.split(';')[0]
}

describe('web app: sign-in and request checks', function () {
  this.timeout(60_000)
  let a: ApiNode

  before(async () => { a = await apiNode() })
  after(async () => a?.close())

  it('serves the page with a strict CSP and no secret in it', async () => {
    const page = await send(a.served.api.url, '/')
    assert.equal(page.status, 200)
    assert.match(String(page.headers['content-type']), /text\/html/)
    const csp = String(page.headers['content-security-policy'])
    assert.match(csp, /default-src 'none'/)
    assert.match(csp, /script-src 'self'(;|$)/, 'scripts only from the node, none inline')
    assert.match(csp, /frame-ancestors 'none'/)
    assert.equal(page.headers['x-content-type-options'], 'nosniff')
    assert.ok(!page.body.includes(a.token), 'the bearer token is not in the page')
    assert.doesNotMatch(page.body, /<script>|<script [^>]*>[^<]/, 'no inline script')
    const script = await send(a.served.api.url, '/app.js')
    assert.equal(script.status, 200)
    assert.ok(!script.body.includes(a.token))
    assert.ok(!script.body.includes('https://'), 'no CDN')
  })

  it('trades a one-time code for an HttpOnly SameSite=Strict cookie and a clean address', async () => {
    const link = new URL(a.served.appLink())
    const answer = await send(a.served.api.url, `${link.pathname}${link.search}`, { headers: { 'Sec-Fetch-Site': 'none' } })
    assert.equal(answer.status, 303)
    assert.equal(answer.headers.location, '/')
    const cookie = String(answer.headers['set-cookie'])
    assert.match(cookie, /HttpOnly/)
    assert.match(cookie, /SameSite=Strict/)
    assert.ok(!cookie.includes(a.token))
    const again = await send(a.served.api.url, `${link.pathname}${link.search}`)
    assert.equal(again.status, 403, 'a code works once')
    assert.match(again.body, /pmesh open/)
  })

  it('lets the session call the same API the CLI uses, from its own origin only', async () => {
    const cookie = await signIn(a)
    const origin = a.served.api.url
    const id = await send(origin, '/v1/id', { headers: { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin' } })
    assert.equal(id.status, 200)
    assert.equal(JSON.parse(id.body).peerId, a.node.peerId.toString())
    const put = { method: 'PUT', body: JSON.stringify({ note: 'from the page' }) }
    const ok = await send(origin, '/v1/presence', { ...put, headers: { Cookie: cookie, Origin: origin, 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin' } })
    assert.equal(ok.status, 200)
    assert.equal(JSON.parse(ok.body).note, 'from the page')

    // a page elsewhere that makes the browser send the cookie (a form post, a fetch) is refused
    const crossSite = await send(origin, '/v1/presence', { ...put, headers: { Cookie: cookie, Origin: 'https://evil.example', 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'cross-site' } })
    assert.equal(crossSite.status, 403)
    const noOrigin = await send(origin, '/v1/presence', { ...put, headers: { Cookie: cookie, 'Content-Type': 'application/json' } })
    assert.equal(noOrigin.status, 403, 'a write without Origin is refused')
    // another port of 127.0.0.1 is another origin
    const otherPort = await send(origin, '/v1/access/block', { method: 'POST', body: JSON.stringify({ target: a.node.presUri }), headers: { Cookie: cookie, Origin: 'http://127.0.0.1:1', 'Content-Type': 'application/json' } })
    assert.equal(otherPort.status, 403)
    assert.equal((await a.client.call('presence')).note, 'from the page', 'nothing a refused request asked for happened')
  })

  it('refuses a DNS-rebound host name, with or without a session', async () => {
    const cookie = await signIn(a)
    const { port } = new URL(a.served.api.url)
    const page = await send(a.served.api.url, '/', { headers: { Host: `evil.example:${port}` } })
    assert.equal(page.status, 403)
    const api = await send(a.served.api.url, '/v1/id', { headers: { Host: `evil.example:${port}`, Cookie: cookie } })
    assert.equal(api.status, 403)
    const link = new URL(a.served.appLink())
    const signInRebound = await send(a.served.api.url, `/${link.search}`, { headers: { Host: `rebind.example:${port}` } })
    assert.equal(signInRebound.status, 403)
    const local = await send(a.served.api.url, '/', { headers: { Host: `localhost:${port}` } })
    assert.equal(local.status, 200)
  })

  it('refuses a sign-in link followed from another site, and a forged or ended session', async () => {
    const link = new URL(a.served.appLink())
    const fromSite = await send(a.served.api.url, `/${link.search}`, { headers: { 'Sec-Fetch-Site': 'cross-site' } })
    assert.equal(fromSite.status, 403)
    const { port } = new URL(a.served.api.url)
    const forged = await send(a.served.api.url, '/v1/id', { headers: { Cookie: `pmesh-session-${port}=${'A'.repeat(43)}` } })
    assert.equal(forged.status, 401)
    const cookie = await signIn(a)
    const out = await send(a.served.api.url, '/sign-out', { method: 'POST', headers: { Cookie: cookie, Origin: a.served.api.url } })
    assert.equal(out.status, 204)
    assert.equal((await send(a.served.api.url, '/v1/id', { headers: { Cookie: cookie } })).status, 401)
  })

  it('authorizes nothing for forged cookies, hosts and origins, and never fails (property)', async () => {
    const { port } = new URL(a.served.api.url)
    const cookie = await signIn(a)
    const before = JSON.stringify(a.node.libp2p.services.presence.policy())
    // what a header may carry at all: printable ASCII without spaces
    const header = fc.stringMatching(/^[!-~]{0,30}$/)
    await fc.assert(fc.asyncProperty(
      fc.record({
        cookie: fc.oneof(header, header.map(v => `pmesh-session-${port}=${v}`), fc.constant(cookie)),
        host: fc.oneof(fc.constant(`127.0.0.1:${port}`), fc.constant(`localhost:${port}`), header.filter(v => v !== '').map(v => `${v}:${port}`), header.filter(v => v !== '')),
        origin: fc.option(fc.oneof(fc.constant(a.served.api.url), fc.constant('http://127.0.0.1:1'), header), { nil: undefined }),
        path: fc.constantFrom('/v1/id', '/v1/access/block', '/', '/sign-out', '/app.js')
      }),
      async ({ cookie: c, host, origin, path }) => {
        const method = path === '/v1/access/block' || path === '/sign-out' ? 'POST' : 'GET'
        const headers: Record<string, string> = { Cookie: c, Host: host, 'Content-Type': 'application/json' }
        if (origin != null) headers.Origin = origin
        const answer = await send(a.served.api.url, path, { method, headers, body: method === 'POST' ? JSON.stringify({ target: a.node.presUri }) : undefined })
        assert.ok(answer.status < 500, `${answer.status} ${answer.body}`)
        const genuine = c === cookie && (host === `127.0.0.1:${port}` || host === `localhost:${port}`) && (origin == null || origin === `http://${host}`)
        if (answer.status === 200 && path.startsWith('/v1/')) assert.ok(genuine && (method === 'GET' || origin != null), `authorized: ${JSON.stringify({ c, host, origin, path })}`)
        // a genuine write would block ourselves; it needs Origin, so only the generator's exact page origin may
        if (path === '/v1/access/block' && answer.status === 200) await a.client.call('revoke', { body: { target: a.node.presUri } })
      }
    ), { numRuns: 150 })
    assert.equal(JSON.stringify(a.node.libp2p.services.presence.policy()), before)
  })

  it('keeps the bearer token working as before, for the CLI', async () => {
    assert.equal((await a.client.call('id')).peerId, a.node.peerId.toString())
    const { url } = await a.client.call('appLink')
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?code=[\w-]{32}$/)
  })
})

describe('web app: codes and sessions', () => {
  it('expires codes and idle sessions, and bounds how many are held', () => {
    let now = 1_000_000
    const sessions = new AppSessions(() => now)
    const stale = sessions.issueCode()
    now += CODE_TTL_MS
    assert.equal(sessions.redeem(stale), undefined, 'an expired code')
    const session = sessions.redeem(sessions.issueCode())
    assert.ok(session != null)
    assert.equal(sessions.check(session), true)
    now += SESSION_IDLE_MS - 1
    assert.equal(sessions.check(session), true, 'use keeps a session open')
    now += SESSION_IDLE_MS
    assert.equal(sessions.check(session), false, 'an idle session ends')
    const codes = Array.from({ length: 100 }, () => sessions.issueCode())
    assert.equal(sessions.redeem(codes[0]), undefined, 'the oldest of too many codes is dropped')
    assert.ok(sessions.redeem(codes[99]) != null)
    assert.equal(sessions.redeem(''), undefined)
  })
})
