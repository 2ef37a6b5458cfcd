/**
 * The XMPP gateway (docs/GATEWAY.md): a mesh node that is also an XMPP server component (XEP-0114,
 * through @xmpp/component). Each mesh user it serves appears as `<peer id, lower-cased>@<component
 * domain>`; each XMPP user it serves appears in the mesh as a peer of its own (xmpp-identities.ts,
 * xmpp-identity.ts), so mesh users decide about every XMPP user separately, and watch it like any
 * presentity.
 *
 * This file routes stanzas to the XMPP users' identities, and answers the mesh users who write to
 * the gateway node itself: `XMPP-To: <jid>` with `XMPP-Action: subscribe` gets the XMPP user's
 * mesh address back; a text message with `XMPP-To` is passed on to the XMPP user.
 */
import { component, xml, type XmppEntity } from '@xmpp/component'
import { peerIdFromString } from '@libp2p/peer-id'
import { bareJid, meshJid } from './xmpp-mapping.js'
import { XmppIdentities, type IdentitiesInit, type IdentityNodeFactory } from './xmpp-identities.js'
import { formatImUri, formatPresUri } from '../uri/index.js'
import type { Element } from '@xmpp/xml'
import type { Logger, PeerId } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import type { InstantMessaging } from '../messaging/index.js'

const RECEIPTS = 'urn:xmpp:receipts'
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
const DISCO_INFO = 'http://jabber.org/protocol/disco#info'
/** How long the XMPP user's node tries to reach a mesh user asking for its address */
const DIAL_TIMEOUT_MS = 10_000
/** Stanzas of one XMPP user waiting to be handled, at most */
const MAX_QUEUED = 256

export interface XmppGatewayOptions extends IdentitiesInit {
  /** The server's component port, e.g. xmpp://127.0.0.1:5347 */
  service: string
  /** The component's domain, e.g. mesh.example.org */
  domain: string
  secret: string
  /** The mesh users it serves */
  serve: PeerId[]
  /** Starts the mesh node of an XMPP user's identity */
  identities: IdentityNodeFactory
}

export interface GatewayNode {
  peerId: PeerId
  im: InstantMessaging
  /** Where the XMPP users' keys and their nodes' state are kept */
  datastore: Datastore
  logger: { forComponent(name: string): Logger }
}

interface MeshMessage { from: PeerId, id: string, contentType: string, body: Uint8Array, headers: Array<{ name: string, value: string }> }

export class XmppGateway {
  private readonly node: GatewayNode
  private readonly options: XmppGatewayOptions
  private readonly log: Logger
  /** Served mesh users by lower-cased peer id: JIDs carry it case-folded */
  private readonly users = new Map<string, { peerId: PeerId, jid: string }>()
  private readonly identities: XmppIdentities
  /** Per XMPP user, its stanzas in the order they came: an answer must not overtake its request */
  private readonly queues = new Map<string, Promise<void>>()
  private readonly waiting = new Map<string, number>()
  private xmpp?: XmppEntity

  constructor (node: GatewayNode, options: XmppGatewayOptions) {
    this.node = node
    this.options = { ...options, domain: options.domain.toLowerCase() }
    this.log = node.logger.forComponent('presence-mesh:gateway:xmpp')
    for (const peerId of options.serve) {
      this.users.set(peerId.toString().toLowerCase(), { peerId, jid: meshJid(peerId.toString(), options.domain) })
    }
    this.identities = new XmppIdentities(node.datastore, options.identities, {
      send: async element => this.send(element),
      jidOf: peer => this.users.get(peer.toString().toLowerCase())?.jid,
      log: this.log
    }, options)
  }

  /** The JID a mesh user appears as */
  jidOf (peerId: PeerId): string {
    return meshJid(peerId.toString(), this.options.domain)
  }

  /** The mesh peer id an XMPP user (bare JID) appears as; its key is made on first use */
  async identityOf (jid: string): Promise<PeerId> {
    return (await this.identities.get(bareJid(jid))).peerId
  }

  async start (): Promise<void> {
    const xmpp = component({ service: this.options.service, domain: this.options.domain, password: this.options.secret })
    xmpp.on('error', err => { this.log.error('XMPP connection - %e', err) })
    xmpp.on('stanza', stanza => { this.enqueue(stanza) })
    this.node.im.addEventListener('message', this.onMessage)
    this.xmpp = xmpp
    await xmpp.start()
    // the XMPP users active before a restart: their subscriptions go on, their presence is asked for again
    await this.identities.start()
  }

  async stop (): Promise<void> {
    this.node.im.removeEventListener('message', this.onMessage)
    const xmpp = this.xmpp
    this.xmpp?.removeAllListeners('stanza')
    await Promise.allSettled(this.queues.values())
    // while the component is still connected: each identity says goodbye to its XMPP user
    await this.identities.stop()
    this.xmpp = undefined
    await xmpp?.stop().catch(err => this.log('stopping the XMPP connection - %e', err))
  }

  private async send (element: Element): Promise<void> {
    await this.xmpp?.send(element)
  }

  private enqueue (stanza: Element): void {
    const jid = bareJid(stanza.attrs.from ?? '')
    const waiting = this.waiting.get(jid) ?? 0
    // a user flooding the component waits for its own stanzas, and beyond a bound they are dropped
    if (waiting >= MAX_QUEUED) {
      if (waiting === MAX_QUEUED) this.log('dropping stanzas from %s: %d wait already', jid, MAX_QUEUED)
      this.waiting.set(jid, MAX_QUEUED + 1)
      return
    }
    this.waiting.set(jid, waiting + 1)
    const next = (this.queues.get(jid) ?? Promise.resolve())
      .then(async () => this.onStanza(stanza))
      .catch(err => this.log.error('handling %s from %s - %e', stanza.name, jid, err))
      .finally(() => {
        const left = Math.min(this.waiting.get(jid) ?? 1, MAX_QUEUED) - 1
        if (left > 0) this.waiting.set(jid, left)
        else this.waiting.delete(jid)
        if (this.queues.get(jid) === next) this.queues.delete(jid)
      })
    this.queues.set(jid, next)
  }

  private async onStanza (stanza: Element): Promise<void> {
    if (stanza.is('iq')) return this.onIq(stanza)
    const from = bareJid(stanza.attrs.from ?? '')
    const to = bareJid(stanza.attrs.to ?? '')
    const at = to.indexOf('@')
    const user = at > 0 && to.slice(at + 1) === this.options.domain ? this.users.get(to.slice(0, at)) : undefined
    const type = stanza.attrs.type
    // identities are for users (local@domain), not for servers or components writing to us
    if (!/^[^@/\s]+@[^@/\s]+$/.test(from) || type === 'error') return
    if (stanza.is('message')) {
      if (user != null) await (await this.identities.get(from)).chat(user.peerId, stanza)
      return
    }
    if (!stanza.is('presence')) return
    if (user == null) {
      if (type === 'subscribe') await this.send(xml('presence', { from: to, to: from, type: 'unsubscribed' }))
      return
    }
    if (type === 'subscribe' || type === 'probe') {
      await (await this.identities.get(from)).watch(user.peerId)
    } else if (type === 'subscribed' || type === 'unsubscribed') {
      await (await this.identities.get(from, { create: type === 'subscribed' }))?.answer(user.peerId, type === 'subscribed')
    } else if (type === 'unsubscribe') {
      await (await this.identities.get(from, { create: false }))?.unwatch(user.peerId)
    } else if (type == null || type === 'unavailable') {
      // the XMPP user's own presence, sent to the served JIDs it lets see it
      const status = stanza.getChild('status')
      await (await this.identities.get(from, { create: false }))?.publish(type, stanza.getChildText('show') ?? undefined, stanza.getChildText('status') ?? undefined, status?.attrs['xml:lang'] ?? stanza.attrs['xml:lang'])
    }
  }

  /** A message from a served mesh user to the gateway node: the way to an XMPP user it has no address of yet */
  private readonly onMessage = (event: CustomEvent<{ message: MeshMessage }>): void => {
    const { message } = event.detail
    const header = (name: string): string | undefined => message.headers.find(h => h.name.toLowerCase() === name.toLowerCase())?.value
    const to = header('XMPP-To')?.trim()
    if (!this.users.has(message.from.toString().toLowerCase()) || to == null || !/^[^@/\s]+@[^@/\s]+$/.test(to)) return
    void (async () => {
      const identity = await this.identities.get(bareJid(to))
      if (header('XMPP-Action')?.toLowerCase() === 'subscribe') {
        const pres = formatPresUri(identity.peerId)
        // the XMPP user's node calls on the mesh user first: its record may not have reached the DHT yet
        // (a node just started), and a presentity we are connected to is one we can subscribe to
        await identity.node.libp2p.dial(message.from, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) }).catch(err => this.log('%s could not reach %p - %e', identity.jid, message.from, err))
        await this.node.im.send(message.from, {
          body: `${identity.jid} is ${pres} in the mesh: watch it to ask ${identity.jid} for their presence, write to ${formatImUri(identity.peerId)}`,
          headers: [{ name: 'XMPP-From', value: identity.jid }, { name: 'XMPP-Presentity', value: pres }]
        })
        return
      }
      await identity.relay(message)
    })().catch(err => this.log.error('a message of %p for %s - %e', message.from, to, err))
  }

  /** disco#info: what the component and its users support (XEP-0184 asks senders to look); other queries are not served */
  private async onIq (stanza: Element): Promise<void> {
    const { from, to, id, type } = stanza.attrs
    if (type !== 'get' && type !== 'set') return
    if (type === 'get' && stanza.getChild('query', DISCO_INFO) != null) {
      await this.send(xml('iq', { from: to, to: from, id, type: 'result' }, xml('query', { xmlns: DISCO_INFO },
        xml('identity', { category: 'gateway', type: 'presence-mesh', name: 'presence-mesh' }),
        xml('feature', { var: DISCO_INFO }), xml('feature', { var: RECEIPTS }))))
      return
    }
    await this.send(xml('iq', { from: to, to: from, id, type: 'error' }, xml('error', { type: 'cancel' }, xml('service-unavailable', { xmlns: STANZAS }))))
  }
}

/** `pres:<peerId>` or a bare peer id → PeerId; throws for anything else */
export function servedPeer (uri: string): PeerId {
  return peerIdFromString(uri.replace(/^(pres|im):/, ''))
}
