import assert from 'node:assert/strict'
import { xml } from '@xmpp/client'
import { toString } from 'uint8arrays/to-string'
import { XmppGateway } from '../../src/gateway/xmpp.js'
import { fromPidf } from '../../src/presence/pidf.js'
import { connect, nodesPerTest } from '../helpers/nodes.js'
import { ensureProsody, startProsody, xmppUser, type Prosody, type XmppUser } from '../helpers/prosody.js'
import { waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'
import type { StoredMessage } from '../../src/messaging/store.js'

const RECEIPTS = 'urn:xmpp:receipts'

/**
 * The gateway against Debian's Prosody and real XMPP clients (@xmpp/client): M, a mesh user, and
 * alice, an XMPP user, subscribe to each other through it, change status, and chat with receipts.
 */
describe('XMPP gateway with Prosody', function () {
  this.timeout(180_000)
  const nodes = nodesPerTest()
  let prosody: Prosody | undefined
  let gateway: XmppGateway | undefined
  let alice: XmppUser | undefined

  before(async function () {
    const missing = await ensureProsody()
    if (missing != null) {
      console.log(`      skipped: ${missing}`)
      this.skip()
    }
  })
  afterEach(async () => {
    await alice?.stop()
    await gateway?.stop()
    await prosody?.stop()
  })

  const inbox = (node: PresenceMeshNode): StoredMessage[] => {
    const got: StoredMessage[] = []
    node.libp2p.services.im.addEventListener('message', event => { got.push(event.detail) })
    return got
  }
  const header = (stored: StoredMessage, name: string): string | undefined => stored.message.headers.find(h => h.name === name)?.value

  it('subscribes both ways, relays status changes each way and chats with XEP-0184 receipts, within the view the mesh user allows', async () => {
    prosody = await startProsody(['alice'])
    const [m, g] = await Promise.all([nodes.start(), nodes.start()])
    await connect(g, m)
    // M shows strangers nothing and grants the gateway only its availability
    await m.libp2p.services.presence.setDefaultPolicy('ask')
    await m.libp2p.services.presence.publish({ basic: 'open', availability: 'available', note: { text: 'private note' } })
    gateway = new XmppGateway({ peerId: g.peerId, presence: g.libp2p.services.presence, im: g.libp2p.services.im, logger: g.libp2p.logger }, { service: prosody.componentService, domain: prosody.componentDomain, secret: prosody.secret, serve: [m.peerId] })
    await gateway.start()
    const mJid = gateway.jidOf(m.peerId)
    alice = await xmppUser(prosody, 'alice')
    const fromM = (stanza: { attrs: Record<string, string | undefined> }): boolean => (stanza.attrs.from ?? '').split('/')[0] === mJid
    const mInbox = inbox(m)

    // XMPP → mesh: alice subscribes to M; M has not decided, so nothing is shown yet
    await alice.send(xml('presence', { to: mJid, type: 'subscribe' }))
    await waitFor(async () => (await m.libp2p.services.presence.policy()).default === 'ask' && g.libp2p.services.presence != null, 1_000)
    await new Promise(resolve => setTimeout(resolve, 1_500))
    assert.equal(alice.received.filter(s => s.is('presence') && fromM(s) && s.attrs.type !== 'unsubscribed').length, 0, 'nothing before M decides')
    await m.libp2p.services.presence.allow(g.peerId, 'availability')
    await alice.next(s => s.is('presence') && fromM(s) && s.attrs.type === 'subscribed', 30_000, 'subscribed')
    const first = await alice.next(s => s.is('presence') && fromM(s) && s.attrs.type == null, 30_000, 'M available')
    assert.equal(first.getChild('show'), undefined)
    assert.equal(first.getChild('status'), undefined, 'the availability view carries no note')

    // a status change in the mesh reaches alice as <show>dnd</show>, still without the note
    await m.libp2p.services.presence.publish({ availability: 'busy', note: { text: 'in a meeting' } })
    const busy = await alice.next(s => s.is('presence') && fromM(s) && s.getChildText('show') === 'dnd', 30_000, 'M busy')
    assert.equal(busy.getChild('status'), undefined)

    // mesh → XMPP: M asks the gateway to subscribe it to alice; alice approves
    await m.libp2p.services.im.send(g.peerId, { body: '', headers: [{ name: 'XMPP-Action', value: 'subscribe' }, { name: 'XMPP-To', value: alice.jid }] })
    await alice.next(s => s.is('presence') && fromM(s) && s.attrs.type === 'subscribe', 30_000, 'M\'s subscribe')
    await alice.send(xml('presence', { to: mJid, type: 'subscribed' }))
    await alice.send(xml('presence', {}, xml('show', {}, 'xa'), xml('status', { 'xml:lang': 'en' }, 'gone fishing')))
    const pidfOf = async (check: (p: ReturnType<typeof fromPidf>) => boolean, what: string): Promise<ReturnType<typeof fromPidf>> => waitFor(() => mInbox
      .filter(s => s.message.from.equals(g.peerId) && s.message.contentType === 'application/pidf+xml' && header(s, 'XMPP-From') === alice?.jid)
      .map(s => fromPidf(toString(s.message.body))).find(check), 30_000, what)
    const away = await pidfOf(p => p.availability === 'away', 'alice away at M')
    assert.deepEqual([away.entity, away.basic, away.note], [`xmpp:${alice.jid}`, 'open', { text: 'gone fishing', lang: 'en' }])
    await alice.send(xml('presence', {}, xml('show', {}, 'dnd')))
    await pidfOf(p => p.availability === 'busy' && p.note == null, 'alice busy at M')

    // chat XMPP → mesh, with a receipt once M's node has it
    await alice.send(xml('message', { to: mJid, type: 'chat', id: 'a-1' }, xml('body', {}, 'hi M'), xml('request', { xmlns: RECEIPTS })))
    const chat = await waitFor(() => mInbox.find(s => toString(s.message.body) === 'hi M'), 30_000, 'alice\'s chat at M')
    assert.ok(chat.message.from.equals(g.peerId))
    assert.equal(header(chat, 'XMPP-From'), alice.jid)
    const receipt = await alice.next(s => s.is('message') && fromM(s) && s.getChild('received', RECEIPTS) != null, 30_000, 'receipt for a-1')
    assert.equal(receipt.getChild('received', RECEIPTS)?.attrs.id, 'a-1')

    // chat mesh → XMPP; alice's client sends the receipt, which M gets
    const sent = await m.libp2p.services.im.send(g.peerId, { body: 'hello alice', headers: [{ name: 'XMPP-To', value: alice.jid }] })
    assert.equal(sent.status, 'delivered')
    const got = await alice.next(s => s.is('message') && fromM(s) && s.getChildText('body') === 'hello alice', 30_000, 'M\'s chat at alice')
    assert.equal(got.attrs.id, sent.id)
    assert.ok(got.getChild('request', RECEIPTS) != null, 'M\'s message asks for a receipt')
    await alice.send(xml('message', { to: got.attrs.from }, xml('received', { xmlns: RECEIPTS, id: got.attrs.id })))
    await waitFor(() => mInbox.find(s => header(s, 'XMPP-Received') === sent.id), 30_000, 'alice\'s receipt at M')

    // M revokes the gateway: alice is told, and sees M go away
    await m.libp2p.services.presence.deny(g.peerId)
    await alice.next(s => s.is('presence') && fromM(s) && (s.attrs.type === 'unsubscribed' || s.attrs.type === 'unavailable'), 30_000, 'M gone after the refusal')
  })
})
