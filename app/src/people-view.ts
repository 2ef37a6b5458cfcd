/**
 * Who may see you: requests waiting for you (approve with a view, or deny),
 * who watches you now and with which view, and the rules you set (block,
 * unblock, revoke).
 */
import { useState } from 'preact/hooks'
import { access } from './actions.js'
import { ago, html } from './html.js'
import { api } from './api.js'
import { applyPolicy, label, notice, state, type WatchRequest } from './store.js'

const VIEWS: Array<[string, string]> = [['full', 'everything (status, note, contact card)'], ['availability', 'availability only'], ['basic', 'online or offline only']]

function run (action: Promise<void>): void {
  action.catch((err: Error) => notice(err.message, true))
}

function RequestRow ({ r }: { r: WatchRequest }) {
  const [view, setView] = useState('full')
  const id = `view-${r.peerId}`
  return html`
    <li class="request" data-peer=${r.peerId}>
      <span><strong>${label(r.peerId)}</strong> asks to see your presence <span class="meta">(${ago(r.since)})</span></span>
      <span class="row">
        <label for=${id}>Show</label>
        <select id=${id} value=${view} onChange=${(e: any) => setView(e.currentTarget.value)}>
          ${VIEWS.map(([value, text]) => html`<option value=${value}>${text}</option>`)}
        </select>
        <button onClick=${() => run(access('allow', r.peerId, view))}>Approve</button>
        <button onClick=${() => run(access('deny', r.peerId))}>Deny</button>
      </span>
    </li>`
}

function viewOf (peerId: string): string {
  const rule = state.rules.find(r => r.peerId === peerId)
  if (rule == null) return `the default (${state.defaultPolicy})`
  return rule.rule === 'allow' ? (rule.view ?? 'full') : rule.rule
}

const DEFAULTS: Array<[string, string]> = [['public', 'everyone sees your presence'], ['ask', 'people must ask you first'], ['deny', 'only people you allow']]

function DefaultPolicy () {
  const change = (e: any): void => run(api('PUT', '/v1/access', { default: e.currentTarget.value }).then(applyPolicy))
  return html`
    <p class="row">
      <label for="default-policy">Strangers:</label>
      <select id="default-policy" value=${state.defaultPolicy} onChange=${change}>
        ${DEFAULTS.map(([value, text]) => html`<option value=${value}>${text}</option>`)}
      </select>
    </p>`
}

export function People () {
  return html`
    <section class="people" aria-labelledby="people-title">
      <h2 id="people-title">Who sees you</h2>
      <${DefaultPolicy} />
      <h3>Requests</h3>
      ${state.requests.length === 0
        ? html`<p class="empty">No one is waiting for your answer.</p>`
        : html`<ul class="requests">${state.requests.map(r => html`<${RequestRow} key=${r.peerId} r=${r} />`)}</ul>`}
      <h3>Watching you now</h3>
      ${state.watchers.length === 0
        ? html`<p class="empty">No one is watching your presence.</p>`
        : html`<ul class="watchers">${state.watchers.map(w => html`
          <li data-peer=${w.peerId}><strong>${label(w.peerId)}</strong> sees <em>${viewOf(w.peerId)}</em> <span class="meta">since ${ago(w.since)}</span></li>`)}</ul>`}
      <h3>Your rules</h3>
      ${state.rules.length === 0
        ? html`<p class="empty">No rules: everyone gets the default (${state.defaultPolicy}).</p>`
        : html`<ul class="rules">${state.rules.map(r => html`
          <li data-peer=${r.peerId}>
            <span><strong>${label(r.peerId)}</strong>: ${r.rule === 'allow' ? `allowed, sees ${r.view ?? 'full'}` : r.rule === 'deny' ? 'denied' : 'blocked'}</span>
            <span class="row">
              ${r.rule === 'block'
                ? html`<button onClick=${() => run(access('revoke', r.peerId))}>Unblock</button>`
                : html`<button onClick=${() => run(access('revoke', r.peerId))}>Revoke</button>
                       <button class="danger" onClick=${() => run(access('block', r.peerId))}>Block</button>`}
            </span>
          </li>`)}</ul>`}
    </section>`
}
