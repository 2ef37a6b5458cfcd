/**
 * A chat with one contact: the history, each sent message's delivery state,
 * and a composer for text and files.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { access, addContact, forgetContact, renameContact, select, send } from './actions.js'
import { ago, availabilityOf, html, time } from './html.js'
import { label, markRead, notice, state, type ChatMessage } from './store.js'

/** The API's failure reasons in words */
const REASONS: Record<string, string> = {
  unreachable: 'not reachable',
  'mailbox-refused': 'offline, and no mailbox would hold it',
  refused: 'refused',
  'too-large': 'too large',
  'timed-out': 'timed out',
  invalid: 'invalid',
  'rate-limited': 'too many messages to someone who does not know you',
  'inbox-full': 'their inbox is full'
}
const DELIVERY: Record<string, string> = { sending: '… sending', stored: '✓ stored', queued: '… queued until seen online', delivered: '✓✓ delivered', failed: '✗ failed' }

function fileUrl (m: ChatMessage): string {
  const body = m.text != null ? new TextEncoder().encode(m.text) : Uint8Array.from(atob(m.bodyBase64 ?? ''), c => c.charCodeAt(0))
  return URL.createObjectURL(new Blob([body], { type: m.contentType }))
}

/** The link is made when clicked: a blob URL per message would hold every file in memory */
function SaveLink ({ m, name }: { m: ChatMessage, name: string }) {
  const save = (e: Event): void => {
    const a = e.currentTarget as HTMLAnchorElement
    a.href = fileUrl(m)
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000)
  }
  return html`<a href="#" download=${name} onClick=${save}>${name}</a>`
}

function Body ({ m }: { m: ChatMessage }) {
  // a text file shows its text, and its name (the subject) to save it by
  if (m.text != null) return html`${m.subject != null && html`<p class="subject"><${SaveLink} m=${m} name=${m.subject} /></p>`}<p class="text">${m.text}</p>`
  const name = m.subject ?? 'file'
  return html`<p class="file">File: <${SaveLink} m=${m} name=${name} /> <span class="meta">(${m.contentType}, ${m.size} bytes)</span></p>`
}

function Bubble ({ m }: { m: ChatMessage }) {
  const status = m.status == null ? null : DELIVERY[m.status] ?? m.status
  return html`
    <li class=${`bubble ${m.incoming ? 'in' : 'out'}`} data-id=${m.id}>
      <span class="visually-hidden">${m.incoming ? `${label(m.peer)} said` : 'You said'}</span>
      <${Body} m=${m} />
      <span class="meta"><time datetime=${new Date(m.at).toISOString()}>${time(m.at)}</time>
        ${status != null && html` <span class=${`delivery ${m.status}`} data-status=${m.status} title=${m.detail ?? undefined}>${status}${m.status === 'failed' && m.reason != null ? `: ${REASONS[m.reason] ?? m.reason}` : ''}</span>`}
        ${m.status === 'failed' && m.detail != null && html`<span class="detail">${m.detail}</span>`}
      </span>
    </li>`
}

function Composer ({ peerId }: { peerId: string }) {
  const [text, setText] = useState('')
  const fileInput = useRef<HTMLInputElement>(null)
  const submit = (e: Event): void => {
    e.preventDefault()
    if (text.trim() === '') return
    void send(peerId, { text })
    setText('')
  }
  const onKey = (e: KeyboardEvent): void => {
    // Enter sends, Shift+Enter starts a new line, as in every chat
    if (e.key === 'Enter' && !e.shiftKey) submit(e)
  }
  const onFile = (): void => {
    const file = fileInput.current?.files?.[0]
    if (file == null) return
    void send(peerId, { file }).catch((err: Error) => notice(err.message, true))
    if (fileInput.current != null) fileInput.current.value = ''
  }
  return html`
    <form class="composer" onSubmit=${submit}>
      <label for="message" class="visually-hidden">Message to ${label(peerId)}</label>
      <textarea id="message" rows="2" value=${text} onInput=${(e: any) => setText(e.currentTarget.value)} onKeyDown=${onKey}
        placeholder="Write a message (Enter sends)"></textarea>
      <label class="button" for="file">Attach file</label>
      <input id="file" type="file" class="visually-hidden" ref=${fileInput} onChange=${onFile} />
      <button type="submit">Send</button>
    </form>`
}

function Rename ({ peerId, done }: { peerId: string, done: () => void }) {
  const [name, setName] = useState(label(peerId))
  const submit = (e: Event): void => {
    e.preventDefault()
    renameContact(peerId, name).then(done, (err: Error) => notice(err.message, true))
  }
  return html`
    <form class="row" onSubmit=${submit}>
      <label for="rename" class="visually-hidden">New name</label>
      <input id="rename" value=${name} onInput=${(e: any) => setName(e.currentTarget.value)} maxlength="64" />
      <button type="submit">Save</button>
      <button type="button" onClick=${done}>Cancel</button>
    </form>`
}

export function Chat ({ peerId }: { peerId: string }) {
  const [renaming, setRenaming] = useState(false)
  const c = state.contacts.get(peerId)
  const messages = state.chats.get(peerId) ?? []
  const log = useRef<HTMLOListElement>(null)
  const rule = state.rules.find(r => r.peerId === peerId)
  const { text } = availabilityOf(c?.presence)
  useEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight })
    markRead(peerId)
  }, [peerId, messages.length])
  const run = (action: Promise<void>): void => { action.catch((err: Error) => notice(err.message, true)) }
  return html`
    <section class="chat" aria-labelledby="chat-title">
      <header>
        <button class="back" onClick=${() => select(null)} aria-label="Back to contacts">←</button>
        <div>
          ${renaming ? html`<${Rename} peerId=${peerId} done=${() => setRenaming(false)} />` : html`<h2 id="chat-title">${label(peerId)}</h2>`}
          <p class="presence-line">${text}${c?.presence?.note != null ? ` — ${c.presence.note}` : ''}${c?.presence?.basic === 'closed' && c.presence.lastSeen != null ? ` · last seen ${ago(c.presence.lastSeen)}` : ''}</p>
          <p class="peer-id"><code>pres:${peerId}</code></p>
        </div>
        <div class="actions">
          ${c?.isContact === true
            ? html`<button onClick=${() => setRenaming(true)}>Rename</button>
                   <button onClick=${() => run(forgetContact(peerId))}>Remove contact</button>`
            : html`<button onClick=${() => run(addContact(`pres:${peerId}`, ''))}>Add to contacts</button>`}
          ${rule?.rule === 'block'
            ? html`<button onClick=${() => run(access('revoke', peerId))}>Unblock</button>`
            : html`<button class="danger" onClick=${() => run(access('block', peerId))}>Block</button>`}
        </div>
      </header>
      <ol class="log" role="log" aria-live="polite" aria-label=${`Messages with ${label(peerId)}`} ref=${log} tabindex="0">
        ${messages.length === 0 && html`<li class="empty">No messages yet.</li>`}
        ${messages.map(m => html`<${Bubble} key=${`${m.incoming ? 'in' : 'out'}:${m.id}`} m=${m} />`)}
      </ol>
      ${rule?.rule === 'block'
        ? html`<p class="blocked">You blocked ${label(peerId)}: they see you offline, and their messages are dropped without telling them.</p>`
        : html`<${Composer} peerId=${peerId} />`}
    </section>`
}
