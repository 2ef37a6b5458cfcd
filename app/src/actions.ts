/**
 * What the user can do, each a call of the control API followed by the
 * state it changes, and the event stream that keeps the page live.
 */
import { api, events, seg, whenSignedOut } from './api.js'
import {
  applyContact, applyPolicy, changed, contact, fromView, label, loadContacts, loadPresenceOfContacts, loadSubscriptions, loadWatchers, markRead, notice, peerOf,
  putMessage, removeContact, state, type ChatMessage
} from './store.js'

/** Sending waits for the outcome; the node gives up on a peer well before this */
const SEND_TIMEOUT_MS = 120_000
/** A node that does not answer the first request (starting, restarting) is asked again, at most this far apart */
const CONNECT_RETRY_MAX_MS = 8_000

export async function start (): Promise<void> {
  whenSignedOut(() => {
    state.signedIn = 'no'
    changed()
  })
  // asked until it answers: a page opened while the node starts, or that lost its request, would
  // otherwise say "Connecting…" until reloaded by hand
  for (let wait = 500; state.me == null; wait = Math.min(2 * wait, CONNECT_RETRY_MAX_MS)) {
    try {
      state.me = await api('GET', '/v1/id')
    } catch (err: any) {
      if (err.status === 401) return
      state.connecting = `${err.message as string} — trying again`
      changed()
      await new Promise(resolve => setTimeout(resolve, wait))
    }
  }
  state.connecting = null
  state.signedIn = 'yes'
  changed()
  listen()
  await load()
}

/** Everything the page shows, from the API; again after the event stream was down and events were missed */
async function load (): Promise<void> {
  await Promise.all([
    api('GET', '/v1/presence').then(p => { state.mine = p }),
    api('GET', '/v1/access').then(applyPolicy),
    loadContacts(),
    loadSubscriptions(),
    loadWatchers(),
    loadMessages()
  ]).catch((err: Error) => notice(err.message, true))
  changed()
  await loadPresenceOfContacts()
}

async function loadMessages (): Promise<void> {
  const [inbox, sent] = await Promise.all([api('GET', '/v1/messages'), api('GET', '/v1/messages?box=sent')])
  for (const m of inbox.messages) putMessage(fromView(m, true))
  for (const m of sent.messages) putMessage(fromView(m, false))
  changed()
}

/** After a stream closed for good: signed out (the 401 says so), or the node restarted and is back */
const RELISTEN_MS = 3_000

function listen (missed = false): void {
  // a stream opened again (after a drop, or anew) may have missed events: the page reloads what it shows
  let opened = missed
  events({
    'presence:notify': data => {
      const entry = contact(data.peerId)
      entry.presence = data
      // news from someone who had to approve us means they did
      if (entry.awaiting) void loadSubscriptions()
      changed()
    },
    'presence:request': data => {
      void api('GET', '/v1/access').then(applyPolicy)
      notify(`${label(data.peerId)} asks to see your presence`, 'Open presence-mesh to approve or deny', `request:${data.peerId}`)
    },
    'presence:subscription-end': () => { void loadSubscriptions() },
    'presence:watcher': () => { void loadWatchers() },
    'contacts:change': data => {
      if (data.change === 'removed') removeContact(data.contact.peerId)
      else applyContact(data.contact)
      changed()
    },
    'im:message': data => {
      const message = fromView(data, true)
      putMessage(message)
      const entry = contact(message.peer)
      if (entry.isContact) entry.unread++
      if (state.selected === message.peer && !document.hidden) markRead(message.peer)
      changed()
      notify(`Message from ${label(message.peer)}`, message.text ?? `a file (${message.contentType})`, `message:${message.peer}`, message.peer)
    },
    'im:receipt': data => {
      const chat = state.chats.get(peerOf(data.to)) ?? []
      const sent = chat.find(m => !m.incoming && m.id === data.id)
      if (sent == null) return
      sent.status = data.status
      sent.reason = data.reason
      changed()
    }
  }, (open, closed) => {
    state.live = open
    if (open && opened) void load()
    opened ||= open
    // a 401 here shows the signed-out page; a node that is gone is waited for by the new stream
    if (closed) setTimeout(() => { api('GET', '/v1/id').then(() => listen(true), () => { if (state.signedIn === 'yes') listen(true) }) }, RELISTEN_MS)
    changed()
  })
}

export function select (peerId: string | null): void {
  state.selected = peerId
  if (peerId != null) markRead(peerId)
  changed()
}

export async function setStatus (choice: string, note: string): Promise<void> {
  const body: Record<string, unknown> = choice === 'offline' ? { basic: 'closed' } : { basic: 'open', availability: choice }
  body.note = note.trim() === '' ? null : note.trim()
  state.mine = await api('PUT', '/v1/presence', body)
  notice('Status updated')
}

/** Send text or a file; the bubble shows "sending" until the node reports the outcome */
export async function send (peerId: string, content: { text: string } | { file: File }): Promise<void> {
  const body: Record<string, unknown> = { to: `im:${peerId}` }
  const draft: ChatMessage = { id: `draft-${Date.now()}-${Math.random()}`, peer: peerId, incoming: false, text: null, bodyBase64: null, contentType: 'text/plain; charset=utf-8', subject: null, size: 0, at: Date.now(), status: 'sending' }
  if ('text' in content) {
    body.text = content.text
    draft.text = content.text
    draft.size = new TextEncoder().encode(content.text).byteLength
  } else {
    const bytes = new Uint8Array(await content.file.arrayBuffer())
    body.bodyBase64 = toBase64(bytes)
    body.contentType = content.file.type === '' ? 'application/octet-stream' : content.file.type
    // the file's name travels as the subject: a message has no other place for it
    body.subject = content.file.name
    Object.assign(draft, { bodyBase64: body.bodyBase64, contentType: body.contentType, subject: content.file.name, size: bytes.byteLength })
  }
  putMessage(draft)
  changed()
  try {
    const result = await api('POST', '/v1/messages', body, { timeoutMs: SEND_TIMEOUT_MS })
    const chat = state.chats.get(peerId) ?? []
    const index = chat.indexOf(draft)
    // a receipt may have arrived first and already named the outcome
    const known = chat.find(m => m !== draft && !m.incoming && m.id === result.id)
    if (index >= 0) chat.splice(index, 1)
    if (known == null) putMessage({ ...draft, id: result.id, status: result.status, reason: result.reason ?? null, detail: result.detail ?? null })
  } catch (err: any) {
    draft.status = 'failed'
    draft.reason = 'not sent'
    draft.detail = err.message
  }
  changed()
}

/**
 * Add a contact by invitation (`pmesh:…`) or address. An invitation makes
 * each the other's contact; an address subscribes, which may wait for the
 * other's approval.
 */
export async function addContact (text: string, name: string): Promise<void> {
  const value = text.trim()
  const body: Record<string, unknown> = value.startsWith('pmesh:') ? { invite: value } : { target: value }
  if (name.trim() !== '') body.name = name.trim()
  const { contact: view, invitation } = await api('POST', '/v1/contacts', body, { timeoutMs: 60_000 })
  applyContact(view)
  await loadSubscriptions()
  select(view.peerId)
  notice(invitation === 'accepted'
    ? `${view.name} accepted: you are in each other's contacts`
    : invitation === 'pending'
      ? `${view.name} added; the invitation is handed over when they are next online`
      : view.subscription === 'awaiting-approval' ? `${view.name} added; waiting for them to approve` : `${view.name} added`)
}

export async function renameContact (peerId: string, name: string): Promise<void> {
  applyContact(await api('PATCH', `/v1/contacts/${seg(peerId)}`, { name: name.trim() }))
  changed()
}

export async function forgetContact (peerId: string): Promise<void> {
  const { removed } = await api('DELETE', `/v1/contacts/${seg(peerId)}`)
  removeContact(peerId)
  await loadSubscriptions()
  notice(`${removed.name} is no longer a contact`)
}

/** A personal invitation: one string, signed, used once, that makes its reader a contact */
export async function createInvite (name: string): Promise<{ invite: string, expires: string | null }> {
  return api('POST', '/v1/invites', name.trim() === '' ? {} : { name: name.trim() })
}

type AccessAction = 'allow' | 'deny' | 'block' | 'revoke'
const DONE: Record<AccessAction, string> = { allow: 'Approved', deny: 'Denied', block: 'Blocked', revoke: 'Rule removed' }

/** allow (with a view), deny, block, or revoke: unblocking is revoking a block */
export async function access (action: AccessAction, peerId: string, view?: string): Promise<void> {
  applyPolicy(await api('POST', `/v1/access/${action}`, { target: `pres:${peerId}`, ...(view == null ? {} : { view }) }))
  await loadWatchers()
  notice(`${DONE[action]}: ${label(peerId)}`)
}

export async function signOut (): Promise<void> {
  await fetch('/sign-out', { method: 'POST', credentials: 'same-origin' })
  state.signedIn = 'no'
  changed()
}

function toBase64 (bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/*
 * Desktop notifications through the browser's Notification API, only while
 * the page is hidden: a visible page shows the news itself. Permission is
 * asked for from a click (browsers refuse a request no gesture started).
 */
function notificationsSupported (): boolean {
  return typeof Notification !== 'undefined'
}

export function notificationPermission (): NotificationPermission | 'unsupported' {
  return notificationsSupported() ? Notification.permission : 'unsupported'
}

export async function askPermission (): Promise<void> {
  if (!notificationsSupported()) return
  await Notification.requestPermission()
  changed()
}

/** Tell the user, if the page is hidden and they allowed it; clicking opens the chat */
function notify (title: string, body: string, tag: string, peerId?: string): void {
  if (!document.hidden || notificationPermission() !== 'granted') return
  try {
    const notification = new Notification(title, { body, tag, icon: '/icon.svg' })
    notification.onclick = () => {
      window.focus()
      if (peerId != null) select(peerId)
      notification.close()
    }
  } catch (err) {
    // some platforms allow notifications only from a service worker: the page still shows the news
    console.warn('notification', err)
  }
}
