/**
 * The contact list: a dot and words for availability, the note, last seen,
 * and unread messages; others the node has met (in the inbox, as watchers
 * or requesters) below them; and the forms that add a contact by invitation
 * or address and create an invitation.
 */
import { useState } from 'preact/hooks'
import { addContact, createInvite, select } from './actions.js'
import { ago, availabilityOf, html } from './html.js'
import { label, notice, state, unread, type Contact } from './store.js'

const SUBSCRIPTION: Record<string, string> = { 'awaiting-approval': 'waiting for approval', refused: 'refused to share presence', waiting: 'not reachable yet' }

/** Unread first, then who is online, then by name */
function ordered (contacts: boolean): Contact[] {
  const rank = (c: Contact): number => (unread(c.peerId) > 0 ? 0 : 2) + (c.presence?.basic === 'open' ? 0 : 1)
  return [...state.contacts.values()]
    .filter(c => c.peerId !== state.me?.peerId && c.isContact === contacts)
    .sort((a, b) => rank(a) - rank(b) || label(a.peerId).localeCompare(label(b.peerId)))
}

function ContactRow ({ c }: { c: Contact }) {
  const { text, dot } = availabilityOf(c.presence)
  const count = unread(c.peerId)
  const p = c.presence
  const waiting = SUBSCRIPTION[c.subscription ?? ''] ?? (c.awaiting ? 'waiting for approval' : null)
  const detail = waiting ?? (p?.basic === 'closed' && p.lastSeen != null ? `last seen ${ago(p.lastSeen)}` : '')
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
  const [address, setAddress] = useState('')
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (address.trim() === '') return
    setBusy(true)
    try {
      await addContact(address, name)
      setAddress('')
      setName('')
    } catch (err: any) {
      notice(err.message, true)
    } finally {
      setBusy(false)
    }
  }
  return html`
    <form class="add" onSubmit=${submit} aria-labelledby="add-title">
      <h3 id="add-title">Add a contact</h3>
      <label for="add-address">Invitation or address</label>
      <input id="add-address" value=${address} onInput=${(e: any) => setAddress(e.currentTarget.value)} placeholder="pmesh:… or pres:12D3Koo…" autocomplete="off" spellcheck="false" />
      <label for="add-name">Name (optional)</label>
      <div class="row">
        <input id="add-name" value=${name} onInput=${(e: any) => setName(e.currentTarget.value)} maxlength="64" autocomplete="off" />
        <button type="submit" disabled=${busy}>${busy ? 'Adding…' : 'Add'}</button>
      </div>
    </form>`
}

function Invite () {
  const [name, setName] = useState('')
  const [made, setMade] = useState<{ invite: string, expires: string | null } | null>(null)
  const submit = (e: Event): void => {
    e.preventDefault()
    createInvite(name).then(setMade, (err: Error) => notice(err.message, true))
  }
  const copy = (): void => {
    if (made == null) return
    navigator.clipboard.writeText(made.invite).then(() => notice('Invitation copied'), () => notice('Copy it from the box: the browser refused the clipboard', true))
  }
  return html`
    <form class="add invite" onSubmit=${submit} aria-labelledby="invite-title">
      <h3 id="invite-title">Invite someone</h3>
      <label for="invite-name">Your name, as they will see it (optional)</label>
      <div class="row">
        <input id="invite-name" value=${name} onInput=${(e: any) => setName(e.currentTarget.value)} maxlength="64" autocomplete="off" />
        <button type="submit">Create invitation</button>
      </div>
      ${made != null && html`
        <label for="invite-text">Send them this (works once${made.expires != null ? `, until ${new Date(made.expires).toLocaleString()}` : ''})</label>
        <textarea id="invite-text" readonly rows="4" onFocus=${(e: any) => e.currentTarget.select()}>${made.invite}</textarea>
        <button type="button" onClick=${copy}>Copy invitation</button>`}
    </form>`
}

export function ContactList () {
  const contacts = ordered(true)
  const others = ordered(false)
  return html`
    <nav class="contacts" aria-label="Contacts">
      <h2>Contacts</h2>
      ${contacts.length === 0
        ? html`<p class="empty">No contacts yet: add one with an invitation, or invite someone.</p>`
        : html`<ul aria-label="Your contacts">${contacts.map(c => html`<${ContactRow} key=${c.peerId} c=${c} />`)}</ul>`}
      ${others.length > 0 && html`
        <h3>Others</h3>
        <ul aria-label="Others">${others.map(c => html`<${ContactRow} key=${c.peerId} c=${c} />`)}</ul>`}
      <${AddContact} />
      <${Invite} />
    </nav>`
}
