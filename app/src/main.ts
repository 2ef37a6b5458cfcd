/**
 * The presence-mesh web app, served by the node on 127.0.0.1 and bundled
 * into dist/app by `npm run build`.
 */
import { render } from 'preact'
import { useState } from 'preact/hooks'
import { askPermission, notificationPermission, setStatus, signOut, start } from './actions.js'
import { Chat } from './chat-view.js'
import { ContactList } from './contacts-view.js'
import { availabilityOf, html } from './html.js'
import { People } from './people-view.js'
import { changed, markRead, notice, state, useStore } from './store.js'

const CHOICES: Array<[string, string]> = [['available', 'Available'], ['busy', 'Busy'], ['away', 'Away'], ['do-not-disturb', 'Do not disturb'], ['offline', 'Offline']]

function MyStatus () {
  const mine = state.mine
  const current = mine == null ? 'available' : mine.basic === 'closed' ? 'offline' : mine.availability === 'unknown' ? 'available' : mine.availability
  const [choice, setChoice] = useState<string | null>(null)
  const [note, setNote] = useState<string | null>(null)
  const submit = (e: Event): void => {
    e.preventDefault()
    setStatus(choice ?? current, note ?? mine?.note ?? '').then(() => { setChoice(null); setNote(null) }, (err: Error) => notice(err.message, true))
  }
  return html`
    <form class="my-status" onSubmit=${submit} aria-label="Your status">
      <span class=${`dot ${availabilityOf(mine).dot}`} aria-hidden="true"></span>
      <label for="my-availability" class="visually-hidden">Your availability</label>
      <select id="my-availability" value=${choice ?? current} onChange=${(e: any) => setChoice(e.currentTarget.value)}>
        ${CHOICES.map(([value, text]) => html`<option value=${value}>${text}</option>`)}
      </select>
      <label for="my-note" class="visually-hidden">Your note</label>
      <input id="my-note" value=${note ?? mine?.note ?? ''} onInput=${(e: any) => setNote(e.currentTarget.value)} placeholder="A note for your contacts" maxlength="1024" />
      <button type="submit">Set</button>
    </form>`
}

function Header () {
  const permission = notificationPermission()
  return html`
    <header class="top">
      <h1><img src="/icon.svg" alt="" width="24" height="24" /> presence-mesh</h1>
      <${MyStatus} />
      <div class="tools">
        <span class=${`live ${state.live ? 'on' : 'off'}`} role="status">${state.live ? 'live' : 'reconnecting…'}</span>
        ${permission === 'default' && html`<button onClick=${() => void askPermission()}>Enable notifications</button>`}
        <button onClick=${() => { state.selected = null; changed() }} aria-label=${`Who sees you${state.requests.length > 0 ? `, ${state.requests.length} waiting` : ''}`}>
          Who sees you${state.requests.length > 0 && html` <span class="badge">${state.requests.length}</span>`}
        </button>
        <button onClick=${() => void signOut()}>Sign out</button>
      </div>
    </header>`
}

function SignedOut () {
  return html`
    <main class="signed-out">
      <h1>presence-mesh</h1>
      <p>This browser is not signed in to the node, or its session ended (a restarted node signs every page out).</p>
      <p>Run <code>pmesh open</code> to open a signed-in page, or <code>pmesh open --print</code> for a one-time link.</p>
    </main>`
}

function App () {
  useStore()
  if (state.signedIn === 'unknown') {
    return html`<main class="loading"><p role="status">Connecting to your node…</p>${state.connecting != null && html`<p class="notice error">${state.connecting}</p>`}</main>`
  }
  if (state.signedIn === 'no') return html`<${SignedOut} />`
  return html`
    <div class=${`shell ${state.selected == null ? 'no-chat' : 'has-chat'}`}>
      <${Header} />
      ${state.notice != null && html`
        <p class=${`notice ${state.notice.error ? 'error' : ''}`} role=${state.notice.error ? 'alert' : 'status'}>
          ${state.notice.text} <button class="link" onClick=${() => { state.notice = null; changed() }} aria-label="Dismiss">×</button>
        </p>`}
      <div class="panes">
        <${ContactList} />
        <main>${state.selected == null ? html`<${People} />` : html`<${Chat} key=${state.selected} peerId=${state.selected} />`}</main>
      </div>
    </div>`
}

// a chat open while the page was hidden is read once the page shows again
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && state.selected != null) markRead(state.selected)
  changed()
})
render(html`<${App} />`, document.getElementById('app') as HTMLElement)
void start()
