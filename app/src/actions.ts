/**
 * What the user can do, each a call of the control API followed by the
 * state it changes, and the event stream that keeps the page live.
 */
import { api, events, seg, whenSignedOut } from './api.js'
import { notify } from './notify.js'
import {
  applyPolicy, changed, contact, fromView, label, loadPresenceOfContacts, loadSubscriptions, loadWatchers, markRead, notice, peerOf, putMessage, state,
  type ChatMessage
} from './store.js'

/**
 * Subscriptions made from the page last 20 days, renewed by the node until
 * then. Not the 30 days a presentity grants at most: a timer of more than
 * 2^31 ms (24.8 days) fires at once in Node, and the node schedules one for
 * the whole duration while a request waits for approval.
 */
const WATCH_DURATION_S = 20 * 24 * 3600
/** Sending waits for the outcome; the node gives up on a peer well before this */
const SEND_TIMEOUT_MS = 120_000

export async function start (): Promise<void> {
  whenSignedOut(() => {
    state.signedIn = 'no'
    changed()
  })
  try {
    state.me = await api('GET', '/v1/id')
  } catch (err: any) {
    if (err.status !== 401) notice(err.message, true)
    return
  }
  state.signedIn = 'yes'
  changed()
  listen()
  await Promise.all([
    api('GET', '/v1/presence').then(p => { state.mine = p }),
    api('GET', '/v1/access').then(applyPolicy),
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

function listen (): void {
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
    'im:message': data => {
      const message = fromView(data, true)
      putMessage(message)
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
  }, open => {
    state.live = open
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
    if (known == null) putMessage({ ...draft, id: result.id, status: result.status, reason: result.detail ?? result.reason ?? null })
  } catch (err: any) {
    draft.status = 'failed'
    draft.reason = err.message
  }
  changed()
}

/** Start watching someone: the subscription asks them to approve where they must */
export async function watch (uri: string): Promise<void> {
  const result = await api('POST', '/v1/subscriptions', { target: uri.trim(), duration: WATCH_DURATION_S })
  const entry = contact(result.state.peerId)
  entry.presence = result.state
  await loadSubscriptions()
  select(entry.peerId)
  if (result.status === 'failure') notice(`Could not watch ${label(entry.peerId)}: ${result.reason ?? 'refused'}`, true)
  else notice(result.status === 'pending' ? 'Asked to see their presence; waiting for them to approve' : `Watching ${label(entry.peerId)}`)
}

export async function unwatch (peerId: string): Promise<void> {
  await api('DELETE', `/v1/subscriptions/${seg(`pres:${peerId}`)}`)
  await loadSubscriptions()
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
