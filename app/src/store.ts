/**
 * The page's state: one object, changed only by the functions here, and a
 * version number components subscribe to (`useStore`). Loaded from the
 * control API once, then kept current by the node's event stream.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, seg } from './api.js'

export interface PresenceView {
  target: string
  peerId: string
  basic: 'open' | 'closed'
  availability: string
  note: string | null
  updated: string | null
  lastSeen: string | null
  access: string | null
}

/** What the page shows of someone's presence, from a contact or a presence view */
export interface Shown {
  basic: 'open' | 'closed'
  availability: string
  note: string | null
  lastSeen: string | null
}

/**
 * Someone the page knows of: a contact of the node's list (GET /v1/contacts),
 * or another peer met as a watcher, a requester or in the inbox.
 */
export interface Contact {
  peerId: string
  /** The contact's name; null for others (a short form of the peer id is shown) */
  name: string | null
  presence?: Shown
  /** In the node's contact list */
  isContact: boolean
  /** The node's subscription to a contact: registered, waiting, awaiting-approval, refused, none */
  subscription: string | null
  /** We hold a subscription to its presence */
  watching: boolean
  /** Our request to watch it waits for its user */
  awaiting: boolean
  /** A contact's unread messages, as the node counts them */
  unread: number
}

export type Delivery = 'sending' | 'delivered' | 'stored' | 'queued' | 'failed'

export interface ChatMessage {
  id: string
  /** The other party's peer id */
  peer: string
  incoming: boolean
  text: string | null
  bodyBase64: string | null
  contentType: string
  subject: string | null
  size: number
  /** ms since epoch: received (incoming) or written (outgoing) */
  at: number
  status?: Delivery
  /** Why it failed, as a word of the API (unreachable, refused, …) */
  reason?: string | null
  /** The node's explanation, for people */
  detail?: string | null
}

export interface Rule { peerId: string, rule: 'allow' | 'deny' | 'block', view: string | null }
export interface WatchRequest { peerId: string, since: string }
export interface Watcher { peerId: string, rule: string, since: string, expires: string }

export interface State {
  signedIn: 'unknown' | 'yes' | 'no'
  /** Why the node has not answered yet, while the page keeps asking it */
  connecting: string | null
  /** The event stream is open: presence shown is live */
  live: boolean
  me?: { peerId: string, uri: string, imUri: string }
  mine?: PresenceView
  contacts: Map<string, Contact>
  chats: Map<string, ChatMessage[]>
  rules: Rule[]
  requests: WatchRequest[]
  watchers: Watcher[]
  defaultPolicy: string
  selected: string | null
  /** Time (ms) each chat was last read, kept across reloads */
  lastRead: Record<string, number>
  /** Messages for the user: the outcome of the last action, errors */
  notice: { text: string, error: boolean } | null
}

const LAST_READ_KEY = 'pmesh.lastRead'

export const state: State = {
  signedIn: 'unknown',
  connecting: null,
  live: false,
  contacts: new Map(),
  chats: new Map(),
  rules: [],
  requests: [],
  watchers: [],
  defaultPolicy: 'ask',
  selected: null,
  lastRead: readLastRead(),
  notice: null
}

let version = 0
const listeners = new Set<(v: number) => void>()

/** Re-render whatever uses the store */
export function changed (): void {
  version++
  for (const listener of listeners) listener(version)
}

export function useStore (): State {
  const [rendered, setVersion] = useState(version)
  useEffect(() => {
    listeners.add(setVersion)
    // effects run a frame after the first render: a change in between (a node that answered
    // at once, such as the 401 of a signed-out page) would be lost and the page stuck on it
    if (version !== rendered) setVersion(version)
    return () => { listeners.delete(setVersion) }
  }, [])
  return state
}

/** How long a confirmation stays; an error stays until dismissed */
const NOTICE_MS = 6_000

export function notice (text: string, error = false): void {
  const shown = { text, error }
  state.notice = shown
  changed()
  if (!error) {
    setTimeout(() => {
      if (state.notice !== shown) return
      state.notice = null
      changed()
    }, NOTICE_MS)
  }
}

/** A peer id from `pres:…`, `im:…` or a bare id */
export function peerOf (uri: string): string {
  return uri.replace(/^(pres|im):/, '')
}

export function contact (peerId: string): Contact {
  let entry = state.contacts.get(peerId)
  if (entry == null) {
    entry = { peerId, name: null, isContact: false, subscription: null, watching: false, awaiting: false, unread: 0 }
    state.contacts.set(peerId, entry)
  }
  return entry
}

/** What to call a peer: its name, else a short form of its id */
export function label (peerId: string): string {
  const name = state.contacts.get(peerId)?.name
  return name ?? `${peerId.slice(0, 8)}…${peerId.slice(-6)}`
}

/** Unread messages: a contact's as the node counts them, anyone else's since the page last showed them */
export function unread (peerId: string): number {
  const entry = state.contacts.get(peerId)
  if (entry?.isContact === true) return entry.unread
  const since = state.lastRead[peerId] ?? 0
  return (state.chats.get(peerId) ?? []).filter(m => m.incoming && m.at > since).length
}

export function markRead (peerId: string): void {
  const entry = state.contacts.get(peerId)
  if (entry?.isContact === true && entry.unread > 0) {
    entry.unread = 0
    // the node keeps a contact's count, so the CLI and other pages agree
    api('POST', '/v1/inbox/read', { contact: peerId }).catch((err: Error) => console.warn('marking read', err))
  }
  const latest = Math.max(0, ...(state.chats.get(peerId) ?? []).map(m => m.at))
  if ((state.lastRead[peerId] ?? 0) >= latest) return
  state.lastRead[peerId] = latest
  try {
    localStorage.setItem(LAST_READ_KEY, JSON.stringify(state.lastRead))
  } catch {
    // storage refused (private mode, full): unread counts last until the page closes
  }
}

function readLastRead (): Record<string, number> {
  try {
    const value = JSON.parse(localStorage.getItem(LAST_READ_KEY) ?? '{}')
    return typeof value === 'object' && value != null ? value : {}
  } catch {
    return {}
  }
}

/** Add or update a message of a chat, kept in time order */
export function putMessage (message: ChatMessage): void {
  const chat = state.chats.get(message.peer) ?? []
  const index = chat.findIndex(m => m.id === message.id && m.incoming === message.incoming)
  if (index >= 0) chat[index] = { ...chat[index], ...message }
  else chat.push(message)
  chat.sort((a, b) => a.at - b.at)
  state.chats.set(message.peer, chat)
  contact(message.peer)
}

export function fromView (view: any, incoming: boolean): ChatMessage {
  const outcome = view.outcome
  return {
    id: view.id,
    peer: peerOf(incoming ? view.from : view.to),
    incoming,
    text: view.text,
    bodyBase64: view.bodyBase64,
    contentType: view.contentType,
    subject: view.subject,
    size: view.size,
    at: Date.parse(incoming ? view.receivedAt ?? view.date : view.date),
    status: incoming ? undefined : outcome?.status === 'sending' ? 'sending' : outcome?.status,
    reason: outcome?.reason ?? null
  }
}

/** The access policy as the API shows it: rules per peer and the waiting requests */
export function applyPolicy (policy: any): void {
  state.defaultPolicy = policy.default
  state.rules = policy.rules
  state.requests = policy.requests
  for (const r of [...policy.rules, ...policy.requests]) contact(r.peerId)
  changed()
}

/** A contact as GET /v1/contacts shows it */
export function applyContact (view: any): void {
  const entry = contact(view.peerId)
  entry.name = view.name
  entry.isContact = true
  entry.subscription = view.subscription
  entry.unread = view.unread
  if (view.basic != null) entry.presence = { basic: view.basic, availability: view.availability, note: view.note, lastSeen: view.lastSeen }
}

export function removeContact (peerId: string): void {
  const entry = state.contacts.get(peerId)
  if (entry == null) return
  entry.isContact = false
  entry.name = null
  entry.subscription = null
}

export async function loadContacts (): Promise<void> {
  const { contacts } = await api('GET', '/v1/contacts')
  for (const view of contacts) applyContact(view)
  changed()
}

/** Our subscriptions: who we watch, and whether they have answered */
export async function loadSubscriptions (): Promise<void> {
  const { subscriptions } = await api('GET', '/v1/subscriptions')
  for (const c of state.contacts.values()) c.watching = false
  for (const s of subscriptions) {
    const entry = contact(s.peerId)
    entry.watching = true
    entry.awaiting = s.awaitingApproval
  }
  changed()
}

/** Fill in what is known of each watched contact's presence; failures leave it unknown */
export async function loadPresenceOfContacts (): Promise<void> {
  await Promise.all([...state.contacts.values()].filter(c => c.watching && c.presence == null).map(async c => {
    try {
      c.presence = await api('GET', `/v1/presence/${seg(`pres:${c.peerId}`)}`)
      changed()
    } catch {
      // out of reach or refused: the contact shows as unknown until an event says more
    }
  }))
}

export async function loadWatchers (): Promise<void> {
  const { watchers } = await api('GET', '/v1/watchers')
  state.watchers = watchers
  for (const w of watchers) contact(w.peerId)
  changed()
}
