/**
 * The contact list: people by name, each with a subscription the node keeps
 * itself (made when the contact is added, made again after it ends, restored
 * with the presence service's own after a restart), what we last knew of
 * its presence, and when it was last seen.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { TypedEventEmitter, serviceCapabilities, serviceDependencies, type Connection, type IdentifyResult, type Logger, type PeerId, type Startable, type Stream } from '@libp2p/interface'
import { CONTACTS_CAPABILITY, CONTACT_SUBSCRIBE_TIMEOUT_MS, CONTACT_SUBSCRIPTION_S, DEFAULT_INVITE_TTL_MS, INVITE_PROTOCOL, INVITE_STREAMS_PER_CONNECTION, MAX_CONTACTS, RESUBSCRIBE_DELAY_MS } from './constants.js'
import { ContactError, InviteRefusedError } from './errors.js'
import { decodeInvite, expiryProblem, MAX_INVITE_NAME, type Invite } from './invite.js'
import { Invitations } from './invitations.js'
import { checkName } from './names.js'
import { ContactStore, type ContactEntry } from './store.js'
import { PRESENCE_CAPABILITY, SEQ_STEP } from '../presence/constants.js'
import { effectiveStatus } from '../presence/record.js'
import { peerIdFromUri } from '../uri/index.js'
import type { AddContactResult, Contacts, ContactsComponents, ContactsEvents, ContactsInit, InviteOptions } from './index.js'
import type { NotifyEvent, PresenceEvents } from '../presence/index.js'

export class ContactsService extends TypedEventEmitter<ContactsEvents> implements Contacts, Startable {
  private readonly components: ContactsComponents
  private readonly log: Logger
  private readonly store: ContactStore
  private readonly invitations: Invitations
  private readonly duration: number
  private readonly entries = new Map<string, ContactEntry>()
  private myName = ''
  private running = false

  constructor (components: ContactsComponents, init: ContactsInit = {}) {
    super()
    this.components = components
    this.log = components.logger.forComponent('presence-mesh:contacts')
    this.store = new ContactStore(components.datastore, this.log)
    this.invitations = new Invitations(components, this.store, this.log)
    this.duration = init.subscriptionDuration ?? CONTACT_SUBSCRIPTION_S
  }

  readonly [Symbol.toStringTag] = '@presence-mesh/contacts'
  readonly [serviceCapabilities] = [CONTACTS_CAPABILITY]
  // a contact is a subscription the node keeps; identify says when a contact is back to retry it
  readonly [serviceDependencies] = [PRESENCE_CAPABILITY, '@libp2p/identify']

  async start (): Promise<void> {
    for (const entry of await this.store.loadContacts()) this.entries.set(entry.id, entry)
    await this.invitations.load()
    this.myName = await this.store.loadName()
    await this.components.registrar.handle(INVITE_PROTOCOL, async (stream: Stream, connection: Connection) => {
      await this.invitations.handle(stream, connection, async (invitee, name) => this.onRedeemed(invitee, name))
    }, { maxInboundStreams: INVITE_STREAMS_PER_CONNECTION, runOnLimitedConnection: true })
    this.components.presence.addEventListener('notify', this.onNotify)
    this.components.presence.addEventListener('subscription:end', this.onEnd)
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    this.running = true
  }

  /** After every service started: the presence service has resumed its subscriptions by now */
  afterStart (): void {
    for (const entry of this.entries.values()) void this.keepSubscribed(entry)
  }

  async stop (): Promise<void> {
    this.running = false
    this.components.presence.removeEventListener('notify', this.onNotify)
    this.components.presence.removeEventListener('subscription:end', this.onEnd)
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    await this.components.registrar.unhandle(INVITE_PROTOCOL)
  }

  list (): ContactEntry[] {
    return [...this.entries.values()].sort((a, b) => a.name.localeCompare(b.name))
  }

  has (peer: PeerId): boolean {
    return this.entries.has(peer.toString())
  }

  /** By name (any case), peer id or `pres:`/`im:` URI */
  get (nameOrAddress: string): ContactEntry | undefined {
    const lower = nameOrAddress.trim().toLowerCase()
    const byName = [...this.entries.values()].find(e => e.name.toLowerCase() === lower)
    if (byName != null) return byName
    try {
      return this.entries.get(peerIdFromUri(nameOrAddress.trim()).toString())
    } catch {
      return undefined
    }
  }

  get name (): string {
    return this.myName
  }

  async add (input: { target?: PeerId, invite?: string, name?: string, me?: string }, options: { signal?: AbortSignal } = {}): Promise<AddContactResult> {
    if ((input.target == null) === (input.invite == null)) throw new ContactError('bad_request', 'give the contact\'s address or an invitation (one of them)')
    const invite = input.invite != null ? await decodeInvite(input.invite) : undefined
    if (invite?.kind === 'community') throw new ContactError('bad_request', 'this is a community invitation: start a node with it (pmesh start --join INVITE), it adds no contact')
    const peer = invite?.inviter ?? input.target as PeerId
    if (peer.equals(this.components.peerId)) throw new ContactError('bad_request', 'that is this node itself; a contact is someone else')
    if (invite != null) {
      const expired = expiryProblem(invite)
      if (expired != null) throw new InviteRefusedError(expired)
    }
    if (input.me != null) await this.setName(input.me)
    const existing = this.entries.get(peer.toString())
    const name = input.name != null ? checkName(input.name) : existing?.name ?? this.freeName(usableName(invite?.name), peer)
    this.checkFree(name, peer)
    if (existing == null && this.entries.size >= MAX_CONTACTS) throw new ContactError('conflict', `the contact list is full (${MAX_CONTACTS})`)

    // the person we add may watch us: its request is approved, unless we decided otherwise before
    if (this.components.presence.policy().rules[peer.toString()] == null) await this.components.presence.allow(peer)
    let invitation: AddContactResult['invitation'] = null
    let pendingInvite: string | undefined
    if (invite != null && input.invite != null) {
      // without them the hand-over still dials what the peer store and the DHT know
      await this.components.peerStore.merge(peer, { multiaddrs: invite.addrs }).catch(err => this.log('could not keep the addresses of the invitation of %p - %e', peer, err))
      invitation = await this.handOver(invite, options.signal)
      if (invitation === 'pending') pendingInvite = input.invite.trim()
    }
    const entry: ContactEntry = { ...existing ?? { id: peer.toString(), addedAt: Date.now(), readUntil: 0 }, name, ...pendingInvite != null ? { pendingInvite } : {} }
    await this.save(entry, existing == null ? 'added' : 'updated')
    await this.keepSubscribed(entry)
    return { contact: entry, invitation }
  }

  async rename (nameOrAddress: string, newName: string): Promise<ContactEntry> {
    const entry = this.require(nameOrAddress)
    const name = checkName(newName)
    this.checkFree(name, peerIdFromString(entry.id))
    return this.save({ ...entry, name }, 'updated')
  }

  async remove (nameOrAddress: string): Promise<ContactEntry> {
    const entry = this.require(nameOrAddress)
    this.entries.delete(entry.id)
    await this.store.deleteContact(entry.id)
    // its subscription was the list's; what it may see of us stays as the user set it
    await this.components.presence.unsubscribe(peerIdFromString(entry.id)).catch(() => false)
    this.safeDispatch(entry, 'removed')
    return entry
  }

  /** Messages received until now count as read: one contact's, or everyone's */
  async markRead (nameOrAddress?: string): Promise<number> {
    const entries = nameOrAddress == null ? [...this.entries.values()] : [this.require(nameOrAddress)]
    const now = Date.now()
    for (const entry of entries) await this.save({ ...entry, readUntil: now }, 'updated')
    return entries.length
  }

  async invite (options: InviteOptions = {}): Promise<{ invite: string, expires: number | null }> {
    if (options.name != null) await this.setName(options.name)
    const kind: Invite['kind'] = options.community === true ? 'community' : 'personal'
    const expires = kind === 'community' ? 0 : Date.now() + (options.expiresInMs ?? DEFAULT_INVITE_TTL_MS)
    return { invite: await this.invitations.issue(kind, this.myName, expires), expires: expires === 0 ? null : expires }
  }

  /** The name we go by, kept for later invitations; '' forgets it */
  private async setName (wanted: string): Promise<void> {
    const name = wanted === '' ? '' : checkName(wanted).slice(0, MAX_INVITE_NAME)
    if (name !== this.myName) await this.store.saveName(name)
    this.myName = name
  }

  /** Hand the invitation over now, or later if the inviter cannot be reached; a refusal throws */
  private async handOver (invite: Invite, signal?: AbortSignal): Promise<'accepted' | 'pending'> {
    try {
      await this.invitations.redeem(invite, this.myName, signal)
      return 'accepted'
    } catch (err) {
      if (err instanceof InviteRefusedError) throw err
      this.log('could not reach %p to hand over its invitation, will when it is seen - %e', invite.inviter, err)
      return 'pending'
    }
  }

  /** The inviter's side: the invitee becomes a contact, allowed to watch us, and we watch it */
  private async onRedeemed (invitee: PeerId, name: string): Promise<void> {
    // a rule the user set (a deny, a block, a chosen view) outweighs an invitation that reached someone else
    if (this.components.presence.policy().rules[invitee.toString()] == null) await this.components.presence.allow(invitee)
    let entry = this.entries.get(invitee.toString())
    if (entry == null) {
      entry = await this.save({ id: invitee.toString(), name: this.freeName(usableName(name), invitee), addedAt: Date.now(), readUntil: 0 }, 'added')
    }
    // after the answer: subscribing dials the invitee, which is still waiting for it
    const added = entry
    setTimeout(() => { void this.keepSubscribed(added) }, 0)
  }

  /**
   * Subscribe to a contact unless the presence service already holds a subscription to it.
   * Started by events and timers, so it never rejects: a failure is logged
   */
  private async keepSubscribed (entry: ContactEntry): Promise<void> {
    try {
      if (!this.running || this.entries.get(entry.id) == null) return
      const peer = peerIdFromString(entry.id)
      if (this.components.presence.subscriptions().some(s => s.target.equals(peer))) return
      const result = await this.components.presence.subscribe(peer, { duration: this.duration, signal: AbortSignal.timeout(CONTACT_SUBSCRIBE_TIMEOUT_MS) })
      if (result.status === 'failure') this.log('subscribing to contact %s failed: %s', entry.id, result.reason)
    } catch (err) {
      this.log.error('subscribing to contact %s failed - %e', entry.id, err)
    }
  }

  private readonly onNotify = (event: PresenceEvents['notify']): void => {
    const { target, record, access } = (event as CustomEvent<NotifyEvent>).detail
    const entry = this.entries.get(target.toString())
    if (entry == null || record == null) return
    const now = Date.now()
    const status = effectiveStatus(record, now)
    let lastSeen = entry.lastSeen
    if (status.basic === 'open') lastSeen = now
    else if (record.seq % SEQ_STEP !== 0n && entry.presence?.basic === 'open') {
      // a will (or goodbye) was signed at the last change and published when the node was lost or
      // stopped: seen live, its arrival is the time of the loss, not the time it was signed
      lastSeen = now
    } else lastSeen = Math.max(lastSeen ?? 0, status.lastSeen)
    const presence = {
      basic: status.basic,
      availability: status.basic === 'open' ? status.availability : 'offline',
      note: record.note?.text ?? null,
      updated: record.issuedAt
    }
    const refused = access === 'refused' ? true : undefined
    this.save({ ...entry, presence, lastSeen, refused }, 'updated').catch(err => this.log.error('saving contact %s failed - %e', entry.id, err))
  }

  private readonly onEnd = (event: PresenceEvents['subscription:end']): void => {
    const entry = this.entries.get(event.detail.target.toString())
    if (entry == null || !this.running) return
    if (event.detail.reason === 'refused') {
      this.save({ ...entry, refused: true }, 'updated').catch(err => this.log.error('saving contact %s failed - %e', entry.id, err))
      return
    }
    // ran out, or cancelled (by the presentity, or a `pmesh watch` that ended): the list keeps watching
    setTimeout(() => { void this.keepSubscribed(entry) }, RESUBSCRIBE_DELAY_MS).unref?.()
  }

  /** A contact whose invitation we still hold came online: hand it over now */
  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const entry = this.entries.get(event.detail.peerId.toString())
    if (entry?.pendingInvite == null || !event.detail.protocols.includes(INVITE_PROTOCOL)) return
    const text = entry.pendingInvite
    void (async () => {
      try {
        await this.invitations.redeem(await decodeInvite(text), this.myName)
        this.log('handed over the invitation of %s', entry.name)
      } catch (err) {
        if (!(err instanceof InviteRefusedError)) {
          // kept: handed over at the contact's next connection
          this.log('handing over the invitation of %s failed, again when it next connects - %e', entry.name, err)
          return
        }
        this.log.error('%s refused its invitation: %s', entry.name, err.message)
      }
      const current = this.entries.get(entry.id)
      if (current != null) await this.save({ ...current, pendingInvite: undefined }, 'updated')
    })().catch(err => this.log.error('handing over an invitation failed - %e', err))
  }

  private require (nameOrAddress: string): ContactEntry {
    const entry = this.get(nameOrAddress)
    if (entry == null) throw new ContactError('not_found', `no contact "${nameOrAddress}" (pmesh contacts lists them)`)
    return entry
  }

  private checkFree (name: string, peer: PeerId): void {
    const holder = this.get(name)
    if (holder != null && holder.id !== peer.toString()) throw new ContactError('conflict', `the name "${name}" is taken by another contact (${holder.id})`)
  }

  /** The inviter's name, else one made from the peer id; suffixed until no other contact has it */
  private freeName (wanted: string | undefined, peer: PeerId): string {
    const base = wanted ?? `friend-${peer.toString().slice(-6)}`
    let name = base
    for (let i = 2; this.get(name) != null && this.get(name)?.id !== peer.toString(); i++) name = `${base}-${i}`
    return name
  }

  private async save (entry: ContactEntry, change: 'added' | 'updated'): Promise<ContactEntry> {
    const clean = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as unknown as ContactEntry
    // a contact removed meanwhile (a notify racing a remove) is not brought back
    if (change === 'updated' && !this.entries.has(clean.id)) return clean
    await this.store.saveContact(clean)
    this.entries.set(clean.id, clean)
    this.safeDispatch(clean, change)
    return clean
  }

  private safeDispatch (contact: ContactEntry, change: 'added' | 'updated' | 'removed'): void {
    this.safeDispatchEvent('change', { detail: { contact, change } })
  }
}

/** A name someone else chose for itself, if it is usable as a contact name */
function usableName (name: string | undefined): string | undefined {
  if (name == null || name === '') return undefined
  try {
    return checkName(name)
  } catch {
    return undefined
  }
}
