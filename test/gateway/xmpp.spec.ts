import assert from 'node:assert/strict'
import { xml } from '@xmpp/client'
import { toString } from 'uint8arrays/to-string'
import { XmppGateway } from '../../src/gateway/xmpp.js'
import { apiNode, type ApiNode } from '../helpers/api.js'
import { pmeshStream, type StreamingCommand } from '../helpers/cli.js'
import { connect, LOOPBACK, nodesPerTest, startNode } from '../helpers/nodes.js'
import { ensureProsody, startProsody, xmppUser, type Prosody, type XmppUser } from '../helpers/prosody.js'
import { tempDir, waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'
import type { NotifyEvent } from '../../src/presence/index.js'
import type { StoredMessage } from '../../src/messaging/store.js'
import type { Element } from '@xmpp/xml'

const RECEIPTS = 'urn:xmpp:receipts'

/**
 * The gateway against Debian's Prosody and real XMPP clients (@xmpp/client). M is a mesh user; each
 * XMPP user is a mesh peer of its own, so M decides about each one, and watches each like any
 * presentity.
 */
describe('XMPP gateway with Prosody', function () {
  this.timeout(180_000)
  let prosody: Prosody | undefined
  let gateway: XmppGateway | undefined
  const clients: XmppUser[] = []
  let watch: StreamingCommand | undefined
  let mesh: ApiNode | undefined
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = []

  before(async function () {
    const missing = await ensureProsody()
    if (missing != null) {
      console.log(`      skipped: ${missing}`)
      this.skip()
    }
  })
  afterEach(async () => {
    watch?.child.kill('SIGKILL')
    watch = undefined
    await Promise.all(clients.splice(0).map(async c => c.stop()))
    await gateway?.stop()
    gateway = undefined
    await prosody?.stop()
  })
  // registered after the hook above, so it runs after it: the gateway stops before the nodes whose datastore it uses
  const nodes = nodesPerTest()
  afterEach(async () => {
    await mesh?.close()
    mesh = undefined
    await Promise.all(dirs.splice(0).map(async dir => dir.remove()))
  })

  /** The gateway node g serving M; the XMPP users' nodes reach M over the loopback */
  const startGateway = async (g: PresenceMeshNode, m: PresenceMeshNode): Promise<XmppGateway> => {
    if (prosody == null) throw new Error('no prosody')
    const gw = new XmppGateway({ peerId: g.peerId, im: g.libp2p.services.im, datastore: g.datastore, logger: g.libp2p.logger }, {
      service: prosody.componentService,
      domain: prosody.componentDomain,
      secret: prosody.secret,
      serve: [m.peerId],
      identities: async (privateKey, datastore) => {
        const node = await startNode({ privateKey, datastore, listen: LOOPBACK, dhtServer: false, presence: { defaultPolicy: 'ask', publishOnStart: false } })
        await connect(node, m)
        return node
      }
    })
    await gw.start()
    return gw
  }
  const login = async (name: string): Promise<XmppUser> => {
    if (prosody == null) throw new Error('no prosody')
    const user = await xmppUser(prosody, name)
    clients.push(user)
    return user
  }
  const presenceFrom = (jid: string, type?: string) => (s: Element): boolean => s.is('presence') && (s.attrs.from ?? '').split('/')[0] === jid && s.attrs.type === type

  it('shows each XMPP user only what the mesh user allows that user: a view, a refusal, a polite block', async () => {
    prosody = await startProsody(['alice', 'bob', 'carol'])
    const [m, g] = await Promise.all([nodes.start(), nodes.start()])
    await m.libp2p.services.presence.setDefaultPolicy('ask')
    await m.libp2p.services.presence.publish({ basic: 'open', availability: 'available', note: { text: 'private note' } })
    gateway = await startGateway(g, m)
    const mJid = gateway.jidOf(m.peerId)
    const [alice, bob, carol] = await Promise.all([login('alice'), login('bob'), login('carol')])
    for (const user of [alice, bob, carol]) await user.send(xml('presence', { to: mJid, type: 'subscribe' }))

    // M sees three requests, from three peer ids: one per XMPP user, none from the gateway
    const [a, b, c] = await Promise.all([alice, bob, carol].map(async user => gateway?.identityOf(user.jid)))
    await waitFor(() => Object.keys(m.libp2p.services.presence.policy().pending).length === 3, 30_000, 'three requests at M')
    assert.deepEqual(Object.keys(m.libp2p.services.presence.policy().pending).sort(), [a, b, c].map(p => p?.toString()).sort())
    assert.equal(m.libp2p.services.presence.policy().pending[g.peerId.toString()], undefined)
    assert.equal(alice.received.filter(s => s.is('presence') && (s.attrs.from ?? '').startsWith(mJid)).length, 0, 'nothing before M decides')

    if (a == null || b == null || c == null) throw new Error('no identities')
    await m.libp2p.services.presence.allow(a, 'availability')
    await m.libp2p.services.presence.deny(b)
    await m.libp2p.services.presence.block(c)
    await alice.next(presenceFrom(mJid, 'subscribed'), 30_000, 'alice subscribed')
    const first = await alice.next(presenceFrom(mJid, undefined), 30_000, 'M available at alice')
    assert.equal(first.getChild('status'), undefined, 'the availability view carries no note')
    await bob.next(presenceFrom(mJid, 'unsubscribed'), 30_000, 'bob refused')
    await carol.next(presenceFrom(mJid, 'subscribed'), 30_000, 'carol seemingly subscribed')
    await carol.next(presenceFrom(mJid, 'unavailable'), 30_000, 'M unavailable at carol')

    // a change reaches alice in her view only; carol still sees M unavailable, bob sees nothing
    await m.libp2p.services.presence.publish({ availability: 'busy', note: { text: 'in a meeting' } })
    const busy = await alice.next(s => presenceFrom(mJid)(s) && s.getChildText('show') === 'dnd', 30_000, 'M busy at alice')
    assert.equal(busy.getChild('status'), undefined)
    for (const [user, allowed] of [[bob, ['unsubscribed']], [carol, ['subscribed', 'unavailable']]] as const) {
      const seen = user.received.filter(s => s.is('presence') && (s.attrs.from ?? '').startsWith(mJid)).map(s => s.attrs.type ?? 'available')
      assert.ok(seen.every(type => (allowed as readonly string[]).includes(type)), `${user.jid} saw ${seen.join(', ')}`)
      assert.ok(!user.received.some(s => s.toString().includes('meeting') || s.toString().includes('private note')))
    }
  })

  it('lets a mesh user watch an XMPP user as a presentity (pmesh watch), chats with receipts, and keeps it all across a restart', async () => {
    prosody = await startProsody(['alice'])
    const home = await tempDir()
    dirs.push(home)
    // M runs with its control API, as `pmesh` commands see it
    mesh = await apiNode()
    const m = mesh.node
    let g = await nodes.start({ home: home.path })
    await m.libp2p.services.presence.publish({ basic: 'open', availability: 'available' })
    gateway = await startGateway(g, m)
    const mJid = gateway.jidOf(m.peerId)
    const alice = await login('alice')
    const mInbox: StoredMessage[] = []
    m.libp2p.services.im.addEventListener('message', event => { mInbox.push(event.detail) })
    const notifies: NotifyEvent[] = []
    m.libp2p.services.presence.addEventListener('notify', event => { notifies.push(event.detail) })
    const header = (stored: StoredMessage, name: string): string | undefined => stored.message.headers.find(h => h.name === name)?.value

    // alice watches M (M is public); her node's connection to M is hung up once that is done
    await alice.send(xml('presence', { to: mJid, type: 'subscribe' }))
    await alice.next(presenceFrom(mJid), 30_000, 'M available at alice')

    // M asks the gateway for alice's mesh address, and watches it with `pmesh watch`; alice approves in her client
    await connect(m, g)
    await m.libp2p.services.im.send(g.peerId, { body: '', headers: [{ name: 'XMPP-Action', value: 'subscribe' }, { name: 'XMPP-To', value: alice.jid }] })
    const intro = await waitFor(() => mInbox.find(s => header(s, 'XMPP-Presentity') != null), 30_000, 'alice\'s address at M')
    const a = await gateway.identityOf(alice.jid)
    assert.equal(header(intro, 'XMPP-Presentity'), `pres:${a.toString()}`)
    watch = pmeshStream(['watch', `pres:${a.toString()}`, '--home', mesh.home, '--json'])
    await alice.next(presenceFrom(mJid, 'subscribe'), 30_000, 'M\'s request at alice')
    assert.equal(m.libp2p.services.presence.subscriptions().find(sub => sub.target.equals(a))?.awaitingApproval, true, 'alice decides')
    await alice.send(xml('presence', { to: mJid, type: 'subscribed' }))
    const printed = async (check: (view: { basic: string, availability: string, note: string | null, lang: string | null, access: string | null }) => boolean, what: string): Promise<string> => {
      if (watch == null) throw new Error('pmesh watch is not running')
      return watch.waitForLine(line => line.startsWith('{') && check(JSON.parse(line)), 30_000).catch((err: Error) => { throw new Error(`${what}: ${err.message}`) })
    }
    await printed(v => v.access === 'granted' && v.basic === 'open' && v.availability === 'available', 'alice available in pmesh watch')
    await alice.send(xml('presence', {}, xml('show', {}, 'xa'), xml('status', { 'xml:lang': 'en' }, 'gone fishing')))
    await printed(v => v.availability === 'away' && v.note === 'gone fishing' && v.lang === 'en', 'alice away in pmesh watch')
    const sees = async (check: (n: NotifyEvent) => boolean, what: string): Promise<NotifyEvent> =>
      waitFor(() => notifies.find(n => n.target.equals(a) && n.access === 'granted' && n.record != null && check(n)), 30_000, what)

    // they chat, each message with its receipt
    await alice.send(xml('message', { to: mJid, type: 'chat', id: 'a-1' }, xml('body', {}, 'hi M'), xml('request', { xmlns: RECEIPTS })))
    const chat = await waitFor(() => mInbox.find(s => toString(s.message.body) === 'hi M'), 30_000, 'alice\'s chat at M')
    assert.ok(chat.message.from.equals(a), 'from alice\'s own peer id')
    await alice.next(s => s.is('message') && s.getChild('received', RECEIPTS)?.attrs.id === 'a-1', 30_000, 'receipt for a-1')
    const sent = await m.libp2p.services.im.send(a, { body: 'hello alice' })
    assert.equal(sent.status, 'delivered')
    const got = await alice.next(s => s.is('message') && s.getChildText('body') === 'hello alice', 30_000, 'M\'s chat at alice')
    assert.equal((got.attrs.from ?? '').split('/')[0], mJid)
    await alice.send(xml('message', { to: got.attrs.from }, xml('received', { xmlns: RECEIPTS, id: got.attrs.id })))
    await waitFor(() => mInbox.find(s => s.message.from.equals(a) && header(s, 'XMPP-Received') === sent.id), 30_000, 'alice\'s receipt at M')

    // the gateway restarts from its home; alice stays logged in
    await gateway.stop()
    await alice.next(presenceFrom(mJid, 'unavailable'), 30_000, 'M gone with the gateway')
    await g.stop()
    nodes.stopped(g)
    g = await nodes.start({ home: home.path })
    gateway = await startGateway(g, m)
    assert.ok((await gateway.identityOf(alice.jid)).equals(a), 'alice keeps her mesh identity')
    await m.libp2p.services.presence.publish({ note: { text: 'back at my desk' } })
    await alice.next(s => presenceFrom(mJid)(s) && s.getChildText('status') === 'back at my desk', 30_000, 'M\'s change at alice after the restart')
    await alice.send(xml('presence', {}, xml('show', {}, 'dnd')))
    await sees(n => n.record?.availability === 'busy', 'alice busy at M after the restart')
    await printed(v => v.availability === 'busy', 'alice busy in pmesh watch after the restart')
  })
})
