/**
 * Routes of the contact list and invitations. A contact is addressed by its
 * name, peer id or URI (`/v1/contacts/alice`, `/v1/contacts/pres:12D3…`).
 * Changes are pushed to `/v1/events` as `contacts:change` by
 * `contactsEvents()`.
 */
import { ApiError } from './errors.js'
import { route } from './schemas.js'
import type { ApiEvent, Route } from './index.js'
import type { ContactEntry, Contacts } from '../contacts/index.js'
import type { InstantMessaging } from '../messaging/index.js'
import type { Presence, Subscription } from '../presence/index.js'
import type { Logger } from '@libp2p/interface'

export interface ContactView {
  name: string
  peerId: string
  uri: string
  im: string
  /** What we last knew; `closed` with availability `offline` while it is away */
  basic: 'open' | 'closed' | null
  availability: string
  note: string | null
  /** When the contact was last online (ISO 8601): now while it is, when it was lost after a crash */
  lastSeen: string | null
  /** When the contact issued the state shown */
  updated: string | null
  /** Messages from it received since the inbox was last read */
  unread: number
  /**
   * The node's subscription to it: registered with it, waiting for it to
   * come online, awaiting its approval, refused by it, or none (being made)
   */
  subscription: 'registered' | 'waiting' | 'awaiting-approval' | 'refused' | 'none'
  /** An invitation of its we accepted and hand over when it is next seen */
  invitation: 'pending' | null
  addedAt: string
}

export interface InviteView {
  invite: string
  kind: 'personal' | 'community'
  /** ISO 8601; null for a community invitation, which does not expire */
  expires: string | null
  name: string
}

export function contactsRoutes (contacts: Contacts, presence: Presence, im: InstantMessaging): Route[] {
  const view = async (entry: ContactEntry): Promise<ContactView> => contactView(entry, subscriptionsOf(presence), await unreadCounts(im))
  return [
    route('contacts', async () => {
      const [unread, subscriptions] = [await unreadCounts(im), subscriptionsOf(presence)]
      return { contacts: contacts.list().map(entry => contactView(entry, subscriptions, unread)) }
    }),
    route('addContact', async ({ body, signal }) => {
      const result = await apiErrors(async () => contacts.add(body, { signal }))
      return { contact: await view(result.contact), invitation: result.invitation }
    }),
    route('contact', async ({ params }) => view(find(contacts, params.contact))),
    route('updateContact', async ({ params, body }) => view(await apiErrors(async () => contacts.rename(params.contact, body.name)))),
    route('removeContact', async ({ params }) => ({ removed: await view(await apiErrors(async () => contacts.remove(params.contact))) })),
    route('markRead', async ({ body }) => ({ contacts: await apiErrors(async () => contacts.markRead(body.contact)) })),
    route('invite', async ({ body }) => {
      const { invite, expires } = await apiErrors(async () => contacts.invite({ name: body.name, community: body.community, expiresInMs: body.expires == null ? undefined : body.expires * 1000 }))
      return { invite, kind: body.community === true ? 'community' : 'personal', expires: expires == null ? null : new Date(expires).toISOString(), name: contacts.name }
    })
  ]
}

/** Contact changes as API events, with the contact as `GET /v1/contacts/:contact` shows it */
export function contactsEvents (contacts: Contacts, presence: Presence, im: InstantMessaging, publish: (event: ApiEvent) => void, log: Logger): () => void {
  const listener = (event: CustomEvent<{ contact: ContactEntry, change: string }>): void => {
    unreadCounts(im)
      .then(unread => publish({ type: 'contacts:change', data: { change: event.detail.change, contact: contactView(event.detail.contact, subscriptionsOf(presence), unread) } }))
      // the inbox unreadable (a node stopping): this event is lost, the list itself is not
      .catch(err => log('contact change %s not sent to API clients - %e', event.detail.change, err))
  }
  contacts.addEventListener('change', listener)
  return () => contacts.removeEventListener('change', listener)
}

/** Each contact's subscription, looked up once per answer rather than once per contact */
function subscriptionsOf (presence: Presence): Map<string, Subscription> {
  return new Map(presence.subscriptions().map(s => [s.target.toString(), s]))
}

function contactView (entry: ContactEntry, subscriptions: Map<string, Subscription>, unread: (entry: ContactEntry) => number): ContactView {
  const subscription = subscriptions.get(entry.id)
  return {
    name: entry.name,
    peerId: entry.id,
    uri: `pres:${entry.id}`,
    im: `im:${entry.id}`,
    basic: entry.presence?.basic ?? null,
    availability: entry.presence?.availability ?? 'unknown',
    note: entry.presence?.note ?? null,
    lastSeen: entry.lastSeen == null ? null : new Date(entry.lastSeen).toISOString(),
    updated: entry.presence == null ? null : new Date(entry.presence.updated).toISOString(),
    unread: unread(entry),
    subscription: entry.refused === true
      ? 'refused'
      : subscription == null ? 'none' : subscription.awaitingApproval === true ? 'awaiting-approval' : subscription.grantedUntil > Date.now() ? 'registered' : 'waiting',
    invitation: entry.pendingInvite != null ? 'pending' : null,
    addedAt: new Date(entry.addedAt).toISOString()
  }
}

/** Unread messages per contact: those received after its `readUntil` */
async function unreadCounts (im: InstantMessaging): Promise<(entry: ContactEntry) => number> {
  const bySender = new Map<string, number[]>()
  for (const m of await im.inbox()) {
    const from = m.message.from.toString()
    const times = bySender.get(from)
    if (times == null) bySender.set(from, [m.receivedAt])
    else times.push(m.receivedAt)
  }
  return entry => (bySender.get(entry.id) ?? []).filter(at => at > entry.readUntil).length
}

function find (contacts: Contacts, ref: string): ContactEntry {
  const entry = contacts.get(ref)
  if (entry == null) throw new ApiError(404, 'not_found', `No contact "${ref}" (GET /v1/contacts lists them)`)
  return entry
}

/** The contact list's errors as the API reports them */
async function apiErrors<T> (run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err: any) {
    if (err?.name === 'ContactError') throw new ApiError(err.code === 'not_found' ? 404 : err.code === 'conflict' ? 409 : 400, err.code, err.message)
    if (err?.name === 'InvalidInviteError') throw new ApiError(400, 'invalid_invite', err.message)
    if (err?.name === 'InviteRefusedError') throw new ApiError(409, 'invite_refused', err.message)
    throw err
  }
}
