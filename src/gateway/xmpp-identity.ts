/**
 * One XMPP user as a mesh peer (docs/GATEWAY.md): a node of its own, with its own key, through which
 * the gateway carries that user's presence and chats to and from the mesh users it serves.
 *
 * - The XMPP user watches a mesh user: its node subscribes to the mesh user as its own peer id, so
 *   the mesh user's rule for that peer id (allow with a view, deny, block) decides what it sees.
 * - A mesh user watches the XMPP user: it subscribes to this node, whose default policy is `ask`; the
 *   request becomes an XMPP subscription request from the mesh user's JID, and the XMPP user's
 *   answer (subscribed / unsubscribed) becomes allow / deny. The XMPP user's presence is published
 *   as this node's own record, so mesh users get it as notifies (`pmesh watch`, contacts, the app).
 * - Chats go both ways from and to this peer id, with XEP-0184 receipts.
 */
import { xml } from '@xmpp/component'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { fromXmppPresence, toXmppPresence } from './xmpp-mapping.js'
import type { Element } from '@xmpp/xml'
import type { Logger, PeerId } from '@libp2p/interface'
import type { PresenceMeshNode } from '../node/create-node.js'
import type { Access, PresenceRecord } from '../presence/index.js'

const RECEIPTS = 'urn:xmpp:receipts'
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
/** How long each subscription to a mesh user asks for; the presence service renews it, and it is made again when it ends */
const SUBSCRIPTION_S = 24 * 3600
/** Chats to the XMPP user waiting for its XEP-0184 receipt, oldest dropped beyond this */
const MAX_AWAITING_RECEIPTS = 1_000

/** What an identity needs of the gateway */
export interface IdentityHost {
  send(element: Element): Promise<void>
  /** The JID of a mesh user the gateway serves (peer id or its string); undefined for anyone else */
  jidOf(peer: PeerId | string): string | undefined
  log: Logger
}

interface MeshMessage { from: PeerId, id: string, contentType: string, body: Uint8Array, subject?: string, headers: Array<{ name: string, value: string }> }

export class XmppIdentity {
  readonly jid: string
  readonly node: PresenceMeshNode
  /** Whether the XMPP user is online: undefined until a presence of its own says */
  online?: boolean
  /** When the XMPP user last did something through the gateway */
  lastActive = Date.now()
  private readonly host: IdentityHost
  /** Per mesh user watched: what it showed last, and whether the XMPP user was told "subscribed" */
  private readonly seen = new Map<string, { record?: PresenceRecord, access?: Access, told: boolean }>()
  private readonly awaiting = new Map<string, PeerId>()

  constructor (jid: string, node: PresenceMeshNode, host: IdentityHost) {
    this.jid = jid
    this.node = node
    this.host = host
  }

  get peerId (): PeerId {
    return this.node.peerId
  }

  /** Whether it has work even while nothing is known of its user: mesh users it watches */
  get watching (): boolean {
    return this.node.libp2p.services.presence.subscriptions().length > 0
  }

  /** Listen; `wake`: the gateway restarted, so ask the server again for the XMPP user's presence */
  async start (wake: boolean): Promise<void> {
    const { presence, im } = this.node.libp2p.services
    presence.addEventListener('notify', this.onNotify)
    presence.addEventListener('subscription:end', this.onSubscriptionEnd)
    presence.addEventListener('request', this.onRequest)
    im.addEventListener('message', this.onMessage)
    // a record with this node's addresses (new ones at each start), for mesh users to find it by;
    // closed until the XMPP user's own presence says otherwise
    await presence.publish({ basic: 'closed' })
    if (!wake) return
    const policy = presence.policy()
    for (const [peer, rule] of Object.entries(policy.rules)) {
      const jid = this.host.jidOf(peer)
      // a probe from a JID the XMPP user lets see it makes the server answer with its presence
      if (jid != null && rule.rule === 'allow') await this.host.send(xml('presence', { from: jid, to: this.jid, type: 'probe' }))
    }
    for (const peer of Object.keys(policy.pending)) {
      const jid = this.host.jidOf(peer)
      if (jid != null) await this.host.send(xml('presence', { from: jid, to: this.jid, type: 'subscribe' }))
    }
  }

  async stop (): Promise<void> {
    const { presence, im } = this.node.libp2p.services
    presence.removeEventListener('notify', this.onNotify)
    presence.removeEventListener('subscription:end', this.onSubscriptionEnd)
    presence.removeEventListener('request', this.onRequest)
    im.removeEventListener('message', this.onMessage)
    // the gateway no longer carries the mesh users' changes to this XMPP user: they go away in its roster
    for (const peer of this.seen.keys()) {
      const jid = this.host.jidOf(peer)
      if (jid != null) await this.host.send(xml('presence', { from: `${jid}/mesh`, to: this.jid, type: 'unavailable' })).catch(err => this.host.log('%s: no unavailable from %s - %e', this.jid, jid, err))
    }
    await this.node.stop()
  }

  /** The XMPP user subscribes to (or probes) a mesh user: subscribe, or show what is known */
  async watch (peer: PeerId): Promise<void> {
    this.lastActive = Date.now()
    const presence = this.node.libp2p.services.presence
    const existing = presence.subscriptions().find(s => s.target.equals(peer))
    if (existing != null) {
      // while the mesh user has not decided, the XMPP subscription stays pending
      const known = this.seen.get(peer.toString())
      if (existing.awaitingApproval !== true) await this.show(peer, known?.record, known?.access)
      return
    }
    const result = await presence.subscribe(peer, { duration: SUBSCRIPTION_S }).catch(err => {
      this.host.log.error('%s subscribing to %p - %e', this.jid, peer, err)
      return undefined
    })
    // refused: say so; anything else (unreachable) waits for the next probe; success: the notify follows
    if (result?.status === 'failure') {
      if (/refus/i.test(result.reason ?? '') || result.access === 'refused') await this.refused(peer)
      else this.host.log('%s could not subscribe to %p: %s', this.jid, peer, result.reason)
    }
  }

  async unwatch (peer: PeerId): Promise<void> {
    this.lastActive = Date.now()
    this.seen.delete(peer.toString())
    await this.node.libp2p.services.presence.unsubscribe(peer)
    const jid = this.host.jidOf(peer)
    if (jid != null) await this.host.send(xml('presence', { from: jid, to: this.jid, type: 'unsubscribed' }))
  }

  /** The XMPP user answers a mesh user's request (or approves one ahead of it) */
  async answer (peer: PeerId, approved: boolean): Promise<void> {
    this.lastActive = Date.now()
    const presence = this.node.libp2p.services.presence
    const rule = presence.policy().rules[peer.toString()]?.rule
    if (approved && rule !== 'allow') await presence.allow(peer, 'full')
    if (!approved && rule !== 'deny') await presence.deny(peer)
  }

  /** The XMPP user's own presence (type, <show/>, <status/>) becomes this node's record */
  async publish (type: string | undefined, show?: string, status?: string, lang?: string): Promise<void> {
    this.lastActive = Date.now()
    this.online = type !== 'unavailable'
    const next = fromXmppPresence(type, show, status, lang)
    const presence = this.node.libp2p.services.presence
    const current = presence.current
    // the server sends one copy to each served JID the user lets see it: publish each change once
    if (current != null && current.basic === next.basic && current.availability === next.availability &&
      current.note?.text === next.note?.text && current.note?.lang === next.note?.lang) return
    await presence.publish({ basic: next.basic, availability: next.availability, note: next.note ?? null })
  }

  /** A chat from the XMPP user to a mesh user, with an XEP-0184 receipt once delivered */
  async chat (peer: PeerId, stanza: Element): Promise<void> {
    this.lastActive = Date.now()
    const from = stanza.attrs.from ?? this.jid
    const receipt = stanza.getChild('received', RECEIPTS)
    if (receipt != null) {
      const id = receipt.attrs.id ?? ''
      if (!(this.awaiting.get(id)?.equals(peer) ?? false)) return
      this.awaiting.delete(id)
      const result = await this.node.libp2p.services.im.send(peer, { body: `received by ${this.jid}`, headers: [{ name: 'XMPP-From', value: this.jid }, { name: 'XMPP-Received', value: id }] })
      if (result.status === 'failed') this.host.log('%s could not pass a receipt to %p: %s', this.jid, peer, result.detail)
      return
    }
    const body = stanza.getChildText('body')
    if (body == null) return
    const result = await this.node.libp2p.services.im.send(peer, { body, subject: stanza.getChildText('subject') ?? undefined, headers: [{ name: 'XMPP-From', value: this.jid }] })
    const id = stanza.attrs.id
    if (result.status === 'delivered') {
      // XEP-0184: a receipt only for what reached the recipient, and only when asked for
      if (stanza.getChild('request', RECEIPTS) != null && id != null) {
        await this.host.send(xml('message', { from: stanza.attrs.to, to: from, id: `r-${id}` }, xml('received', { xmlns: RECEIPTS, id })))
      }
    } else if (result.status === 'failed') {
      await this.host.send(xml('message', { from: stanza.attrs.to, to: from, id, type: 'error' },
        xml('error', { type: 'cancel' }, xml('recipient-unavailable', { xmlns: STANZAS }), xml('text', { xmlns: STANZAS }, result.detail ?? result.reason ?? 'not delivered'))))
    }
  }

  /** A text message of a served mesh user to the XMPP user, asking for a receipt */
  async relay (message: MeshMessage): Promise<void> {
    const jid = this.host.jidOf(message.from)
    if (jid == null || !message.contentType.toLowerCase().startsWith('text/plain')) return
    this.awaiting.set(message.id, message.from)
    if (this.awaiting.size > MAX_AWAITING_RECEIPTS) this.awaiting.delete(this.awaiting.keys().next().value as string)
    await this.host.send(xml('message', { from: `${jid}/mesh`, to: this.jid, type: 'chat', id: message.id },
      xml('body', {}, uint8ArrayToString(message.body)), message.subject == null ? undefined : xml('subject', {}, message.subject), xml('request', { xmlns: RECEIPTS })))
  }

  private async show (peer: PeerId, record: PresenceRecord | undefined, access: Access | undefined): Promise<void> {
    const jid = this.host.jidOf(peer)
    if (jid == null) return
    const entry = this.seen.get(peer.toString()) ?? { told: false }
    this.seen.set(peer.toString(), { record, access, told: true })
    if (!entry.told) await this.host.send(xml('presence', { from: jid, to: this.jid, type: 'subscribed' }))
    // what the mesh user does not grant (it blocks this peer id politely) shows as unavailable
    const shown = toXmppPresence(access === 'public' || access === 'granted' ? record : undefined)
    await this.host.send(xml('presence', { from: `${jid}/mesh`, to: this.jid, type: shown.available ? undefined : 'unavailable' },
      shown.show == null ? undefined : xml('show', {}, shown.show),
      shown.status == null ? undefined : xml('status', { 'xml:lang': shown.lang }, shown.status)))
  }

  private async refused (peer: PeerId): Promise<void> {
    this.seen.delete(peer.toString())
    const jid = this.host.jidOf(peer)
    if (jid != null) await this.host.send(xml('presence', { from: jid, to: this.jid, type: 'unsubscribed' }))
  }

  private readonly onNotify = (event: CustomEvent<{ target: PeerId, record?: PresenceRecord, access?: Access }>): void => {
    const { target, record, access } = event.detail
    const waiting = this.node.libp2p.services.presence.subscriptions().find(s => s.target.equals(target))?.awaitingApproval === true
    void (async () => {
      if (this.host.jidOf(target) == null) {
        // no longer served (the gateway restarted without it): nobody to show it to
        await this.node.libp2p.services.presence.unsubscribe(target)
      } else if (access === 'refused') {
        await this.refused(target)
      } else if (!waiting) {
        await this.show(target, record, access)
      }
    })().catch(err => this.host.log.error('%s: the presence of %p - %e', this.jid, target, err))
  }

  private readonly onSubscriptionEnd = (event: CustomEvent<{ target: PeerId, reason: 'expired' | 'cancelled' | 'refused' }>): void => {
    const { target, reason } = event.detail
    // one that ran out is made again while the XMPP user still watches (it did not unsubscribe)
    const done = reason === 'refused' ? this.refused(target) : reason === 'expired' && this.seen.has(target.toString()) ? this.watch(target) : Promise.resolve()
    done.catch(err => this.host.log.error('%s: the end of the subscription to %p - %e', this.jid, target, err))
  }

  /** A mesh user asks to watch the XMPP user: ask it, from that mesh user's JID */
  private readonly onRequest = (event: CustomEvent<{ peerId: PeerId }>): void => {
    const { peerId } = event.detail
    const jid = this.host.jidOf(peerId)
    // someone the gateway does not serve has no JID the XMPP user could answer
    const asked = jid == null ? this.node.libp2p.services.presence.deny(peerId) : this.host.send(xml('presence', { from: jid, to: this.jid, type: 'subscribe' }))
    asked.catch(err => this.host.log.error('%s: the request of %p - %e', this.jid, peerId, err))
  }

  private readonly onMessage = (event: CustomEvent<{ message: MeshMessage }>): void => {
    this.relay(event.detail.message).catch(err => this.host.log.error('%s: a message of %p - %e', this.jid, event.detail.message.from, err))
  }
}
