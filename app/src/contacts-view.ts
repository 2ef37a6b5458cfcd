/**
 * The contact list: a dot and words for availability, the note, last seen,
 * and unread messages; and the form that adds someone.
 */
import { useState } from 'preact/hooks'
import { select, watch } from './actions.js'
import { ago, availabilityOf, html } from './html.js'
import { label, notice, state, unread, type Contact } from './store.js'

/** Unread first, then who is online, then by name */
function ordered (): Contact[] {
  const rank = (c: Contact): number => (unread(c.peerId) > 0 ? 0 : 2) + (c.presence?.basic === 'open' ? 0 : 1)
  return [...state.contacts.values()]
    .filter(c => c.peerId !== state.me?.peerId)
    .sort((a, b) => rank(a) - rank(b) || label(a.peerId).localeCompare(label(b.peerId)))
}

function ContactRow ({ c }: { c: Contact }) {
  const { text, dot } = availabilityOf(c.presence)
  const count = unread(c.peerId)
  const p = c.presence
  const detail = c.awaiting ? 'waiting for approval' : !c.watching ? 'not watched' : p?.basic === 'closed' && p.lastSeen != null ? `last seen ${ago(p.lastSeen)}` : ''
  return html`
    <li>
      <button class="contact" aria-current=${state.selected === c.peerId ? 'true' : undefined} onClick=${() => select(c.peerId)}
        data-peer=${c.peerId}>
        <span class=${`dot ${dot}`} aria-hidden="true"></span>
        <span class="who">
          <span class="name">${label(c.peerId)}</span>
          <span class="availability">${text}${detail === '' ? '' : ` · ${detail}`}</span>
          ${p?.note != null && html`<span class="note">${p.note}</span>`}
        </span>
        ${count > 0 && html`<span class="badge" aria-label=${`${count} unread`}>${count}</span>`}
      </button>
    </li>`
}

function AddContact () {
  const [uri, setUri] = useState('')
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (uri.trim() === '') return
    setBusy(true)
    try {
      await watch(uri)
      setUri('')
    } catch (err: any) {
      notice(err.message, true)
    } finally {
      setBusy(false)
    }
  }
  return html`
    <form class="add" onSubmit=${submit}>
      <label for="add-uri">Watch someone (pres: address)</label>
      <div class="row">
        <input id="add-uri" value=${uri} onInput=${(e: any) => setUri(e.currentTarget.value)} placeholder="pres:12D3Koo…" autocomplete="off" spellcheck="false" />
        <button type="submit" disabled=${busy}>Watch</button>
      </div>
    </form>`
}

export function ContactList () {
  const list = ordered()
  return html`
    <nav class="contacts" aria-label="Contacts">
      <h2>Contacts</h2>
      ${list.length === 0
        ? html`<p class="empty">Nobody yet. Watch someone by their address below.</p>`
        : html`<ul>${list.map(c => html`<${ContactRow} key=${c.peerId} c=${c} />`)}</ul>`}
      <${AddContact} />
    </nav>`
}
