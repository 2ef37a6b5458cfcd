/**
 * The XMPP gateway (docs/GATEWAY.md): a mesh node of its own that is also an
 * XMPP server component (XEP-0114, through @xmpp/component). Each mesh user
 * it serves appears as `<peer id, lower-cased>@<component domain>`.
 *
 * - XMPP → mesh presence: an XMPP user's subscribe makes the gateway subscribe
 *   to the mesh user in the mesh. The mesh user's access control decides what
 *   the gateway sees (refused: the XMPP user gets "unsubscribed"; a view: only
 *   that view), and the XMPP user gets no more than the gateway sees.
 * - Mesh → XMPP presence: a mesh user sends the gateway a message with
 *   `XMPP-Action: subscribe` and `XMPP-To: <jid>`; the XMPP user's presence
 *   then comes to the mesh user as application/pidf+xml messages.
 * - Chat: XMPP → mesh as a message from the gateway with `XMPP-From`, and an
 *   XEP-0184 receipt once the mesh user's node signed its delivery receipt;
 *   mesh → XMPP from a message with `XMPP-To`, and the XMPP client's XEP-0184
 *   receipt comes back as a message with `XMPP-Received: <message id>`.
 */
import { component, xml, type XmppEntity } from '@xmpp/component'
import { peerIdFromString } from '@libp2p/peer-id'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { bareJid, fromXmppPresence, meshJid, toXmppPresence } from './xmpp-mapping.js'
import { foreignPidf } from '../presence/pidf.js'
import type { Element } from '@xmpp/xml'
import type { Logger, PeerId } from '@libp2p/interface'
import type { InstantMessaging } from '../messaging/index.js'
import type { Presence } from '../presence/index.js'
import type { PresenceRecord } from '../presence/record.js'
import type { Access } from '../presence/access/keyring.js'

const RECEIPTS = 'urn:xmpp:receipts'
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
const DISCO_INFO = 'http://jabber.org/protocol/disco#info'
/** How long the gateway's mesh subscriptions last; the presence service renews grants before they end */
const SUBSCRIPTION_S = 24 * 3600
/** Outgoing chats waiting for an XEP-0184 receipt, oldest dropped beyond this */
const MAX_AWAITING_RECEIPTS = 10_000

export interface XmppGatewayOptions {
  /** The server's component port, e.g. xmpp://127.0.0.1:5347 */
  service: string
  /** The component's domain, e.g. mesh.example.org */
  domain: string
  secret: string
  /** The mesh users it serves */
  serve: PeerId[]
}

export interface GatewayNode {
  peerId: PeerId
  presence: Presence
  im: InstantMessaging
  logger: { forComponent(name: string): Logger }
}

interface MeshUser {
  peerId: PeerId
  jid: string
  /** XMPP users (bare JIDs) that receive its presence */
  watchers: Set<string>
  /** XMPP users whose subscribe waits for the mesh user's decision */
  pending: Set<string>
  subscribed: boolean
  record?: PresenceRecord
  access?: Access
}

export class XmppGateway {
  private readonly node: GatewayNode
  private readonly options: XmppGatewayOptions
  private readonly log: Logger
  private readonly users = new Map<string, MeshUser>()
  private readonly awaiting = new Map<string, { user: MeshUser, messageId: string, jid: string }>()
  private xmpp?: XmppEntity

  constructor (node: GatewayNode, options: XmppGatewayOptions) {
    this.node = node
    this.options = { ...options, domain: options.domain.toLowerCase() }
    this.log = node.logger.forComponent('presence-mesh:gateway:xmpp')
    for (const peerId of options.serve) {
      this.users.set(peerId.toString().toLowerCase(), { peerId, jid: meshJid(peerId.toString(), options.domain), watchers: new Set(), pending: new Set(), subscribed: false })
    }
  }

  /** The JID a mesh user appears as */
  jidOf (peerId: PeerId): string {
    return meshJid(peerId.toString(), this.options.domain)
  }

  async start (): Promise<void> {
    const xmpp = component({ service: this.options.service, domain: this.options.domain, password: this.options.secret })
    xmpp.on('error', err => { this.log.error('XMPP connection - %e', err) })
    xmpp.on('stanza', stanza => { this.onStanza(stanza).catch(err => this.log.error('handling %s - %e', stanza.name, err)) })
    this.node.presence.addEventListener('notify', this.onNotify)
    this.node.presence.addEventListener('subscription:end', this.onSubscriptionEnd)
    this.node.im.addEventListener('message', this.onMessage)
    this.xmpp = xmpp
    await xmpp.start()
  }

  async stop (): Promise<void> {
    this.node.presence.removeEventListener('notify', this.onNotify)
    this.node.presence.removeEventListener('subscription:end', this.onSubscriptionEnd)
    this.node.im.removeEventListener('message', this.onMessage)
    const xmpp = this.xmpp
    this.xmpp = undefined
    if (xmpp == null) return
    // watchers see the mesh users go away with the gateway, rather than stay "online" in their rosters
    for (const user of this.users.values()) {
      for (const jid of user.watchers) await xmpp.send(xml('presence', { from: user.jid, to: jid, type: 'unavailable' })).catch(() => {})
    }
    await xmpp.stop().catch(err => this.log('stopping the XMPP connection - %e', err))
  }

  private async send (element: Element): Promise<void> {
    await this.xmpp?.send(element)
  }

  private async onStanza (stanza: Element): Promise<void> {
    const from = stanza.attrs.from ?? ''
    const to = stanza.attrs.to ?? ''
    const user = this.users.get(to.slice(0, to.indexOf('@')).toLowerCase())
    const servedHere = bareJid(to).endsWith(`@${this.options.domain}`)
    if (stanza.is('iq')) return this.onIq(stanza)
    if (stanza.is('presence')) {
      if (user == null || !servedHere) {
        if (stanza.attrs.type === 'subscribe') await this.send(xml('presence', { from: bareJid(to), to: bareJid(from), type: 'unsubscribed' }))
        return
      }
      return this.onPresence(user, bareJid(from), stanza)
    }
    if (stanza.is('message') && user != null && servedHere) return this.onXmppMessage(user, from, stanza)
  }

  private async onPresence (user: MeshUser, jid: string, stanza: Element): Promise<void> {
    const type = stanza.attrs.type
    if (type === 'subscribe' || type === 'probe') {
      await this.ensureSubscribed(user)
      if (user.access === 'refused') {
        await this.send(xml('presence', { from: user.jid, to: jid, type: 'unsubscribed' }))
      } else if (shows(user)) {
        await this.admit(user, jid, type === 'subscribe')
      } else {
        user.pending.add(jid)
      }
    } else if (type === 'unsubscribe') {
      user.watchers.delete(jid)
      user.pending.delete(jid)
      await this.send(xml('presence', { from: user.jid, to: jid, type: 'unsubscribed' }))
    } else if (type == null || type === 'unavailable') {
      // the XMPP user's presence, for the mesh user who subscribed to it
      const presence = fromXmppPresence(type, stanza.getChildText('show') ?? undefined, stanza.getChildText('status') ?? undefined, stanza.getChild('status')?.attrs['xml:lang'] ?? stanza.attrs['xml:lang'])
      await this.tellMeshUser(user, jid, { body: foreignPidf(`xmpp:${jid}`, presence, Date.now()), contentType: 'application/pidf+xml' })
    }
  }

  /** Make `jid` a watcher of `user`, with its current presence */
  private async admit (user: MeshUser, jid: string, answer: boolean): Promise<void> {
    user.pending.delete(jid)
    user.watchers.add(jid)
    if (answer) await this.send(xml('presence', { from: user.jid, to: jid, type: 'subscribed' }))
    await this.sendPresence(user, jid)
  }

  private async ensureSubscribed (user: MeshUser): Promise<void> {
    if (user.subscribed) return
    user.subscribed = true
    const result = await this.node.presence.subscribe(user.peerId, { duration: SUBSCRIPTION_S }).catch(err => {
      this.log.error('subscribing to %p - %e', user.peerId, err)
      return undefined
    })
    if (result == null || result.status === 'failure') {
      user.subscribed = false
      user.access = result?.reason === 'refused' ? 'refused' : user.access
    }
  }

  private async sendPresence (user: MeshUser, jid: string): Promise<void> {
    const shown = toXmppPresence(user.access === 'refused' ? undefined : user.record)
    await this.send(xml('presence', { from: `${user.jid}/mesh`, to: jid, type: shown.available ? undefined : 'unavailable' },
      shown.show == null ? undefined : xml('show', {}, shown.show),
      shown.status == null ? undefined : xml('status', { 'xml:lang': shown.lang }, shown.status)))
  }

  private readonly onNotify = (event: CustomEvent<{ target: PeerId, record?: PresenceRecord, access?: Access }>): void => {
    const user = this.users.get(event.detail.target.toString().toLowerCase())
    if (user == null) return
    user.record = event.detail.record
    user.access = event.detail.access
    void (async () => {
      if (user.access === 'refused') {
        for (const jid of [...user.pending, ...user.watchers]) await this.send(xml('presence', { from: user.jid, to: jid, type: 'unsubscribed' }))
        user.pending.clear()
        user.watchers.clear()
        return
      }
      if (!shows(user)) return
      for (const jid of user.pending) await this.admit(user, jid, true)
      for (const jid of user.watchers) await this.sendPresence(user, jid)
    })().catch(err => this.log.error('relaying the presence of %p - %e', user.peerId, err))
  }

  /**
   * A mesh user who refuses (denies or revokes) the gateway says so on the
   * subscription, not in a record: the presentity pushes nothing more to a
   * watcher it refused, so the XMPP users are told here
   */
  private readonly onSubscriptionEnd = (event: CustomEvent<{ target: PeerId, reason: 'expired' | 'cancelled' | 'refused' }>): void => {
    if (event.detail.reason !== 'refused') return
    const user = this.users.get(event.detail.target.toString().toLowerCase())
    if (user == null) return
    this.onNotify(new CustomEvent('notify', { detail: { target: event.detail.target, record: undefined, access: 'refused' } }))
  }

  private async onXmppMessage (user: MeshUser, from: string, stanza: Element): Promise<void> {
    if (stanza.attrs.type === 'error') return
    const receipt = stanza.getChild('received', RECEIPTS)
    if (receipt != null) {
      const sent = this.awaiting.get(receipt.attrs.id ?? '')
      if (sent == null || sent.user !== user || sent.jid !== bareJid(from)) return
      this.awaiting.delete(receipt.attrs.id ?? '')
      await this.tellMeshUser(user, sent.jid, { body: `received by ${sent.jid}`, headers: [{ name: 'XMPP-Received', value: sent.messageId }] })
      return
    }
    const body = stanza.getChildText('body')
    if (body == null) return
    const result = await this.node.im.send(user.peerId, { body, subject: stanza.getChildText('subject') ?? undefined, headers: [{ name: 'XMPP-From', value: bareJid(from) }] })
    const id = stanza.attrs.id
    if (result.status === 'delivered') {
      // XEP-0184: a receipt only for what reached the recipient, and only when asked for
      if (stanza.getChild('request', RECEIPTS) != null && id != null) {
        await this.send(xml('message', { from: stanza.attrs.to, to: from, id: `r-${id}` }, xml('received', { xmlns: RECEIPTS, id })))
      }
    } else if (result.status === 'failed') {
      await this.send(xml('message', { from: stanza.attrs.to, to: from, id, type: 'error' },
        xml('error', { type: 'cancel' }, xml('recipient-unavailable', { xmlns: STANZAS }), xml('text', { xmlns: STANZAS }, result.detail ?? result.reason ?? 'not delivered'))))
    }
  }

  /** A message from a mesh user to the gateway: a chat or a subscription for an XMPP user */
  private readonly onMessage = (event: CustomEvent<{ message: { from: PeerId, id: string, contentType: string, body: Uint8Array, headers: Array<{ name: string, value: string }> } }>): void => {
    const { message } = event.detail
    const user = this.users.get(message.from.toString().toLowerCase())
    const header = (name: string): string | undefined => message.headers.find(h => h.name.toLowerCase() === name.toLowerCase())?.value
    const to = header('XMPP-To')
    if (user == null || to == null || !/^[^@/\s]+@[^@/\s]+$/.test(to.trim())) return
    const jid = bareJid(to.trim())
    const action = header('XMPP-Action')?.toLowerCase()
    void (async () => {
      if (action === 'subscribe' || action === 'unsubscribe') {
        await this.send(xml('presence', { from: user.jid, to: jid, type: action }))
        return
      }
      if (!message.contentType.toLowerCase().startsWith('text/plain')) return
      this.awaiting.set(message.id, { user, messageId: message.id, jid })
      if (this.awaiting.size > MAX_AWAITING_RECEIPTS) this.awaiting.delete(this.awaiting.keys().next().value as string)
      await this.send(xml('message', { from: `${user.jid}/mesh`, to: jid, type: 'chat', id: message.id },
        xml('body', {}, uint8ArrayToString(message.body)), xml('request', { xmlns: RECEIPTS })))
    })().catch(err => this.log.error('relaying a message of %p - %e', message.from, err))
  }

  private async tellMeshUser (user: MeshUser, jid: string, message: { body: string, contentType?: string, headers?: Array<{ name: string, value: string }> }): Promise<void> {
    const result = await this.node.im.send(user.peerId, { body: message.body, contentType: message.contentType, headers: [{ name: 'XMPP-From', value: jid }, ...message.headers ?? []] })
    if (result.status === 'failed') this.log('could not tell %p about %s: %s', user.peerId, jid, result.detail ?? result.reason)
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

/**
 * Whether the mesh user lets the gateway see it: its public view, or one it granted. Restricted
 * (it has not decided, or blocks the gateway politely) holds XMPP subscriptions pending.
 */
function shows (user: MeshUser): boolean {
  return user.record != null && (user.access === 'public' || user.access === 'granted')
}

/** `pres:<peerId>` or a bare peer id → PeerId; throws for anything else */
export function servedPeer (uri: string): PeerId {
  return peerIdFromString(uri.replace(/^(pres|im):/, ''))
}
