/**
 * `pmesh policy`, `allow`, `deny`, `block`, `unblock`, `revoke`, `requests`:
 * who may see our presence, and what (RFC 2779 §5.1).
 */
import { ApiClient } from '../../api/client.js'
import { DEFAULT_POLICIES, VIEW_NAMES, type ViewName } from '../../presence/access/view-names.js'
import { resolveTarget } from '../target.js'
import { parse, peerIdOf } from '../args.js'
import { UsageError } from '../errors.js'
import { print, printFields, printJson } from '../output.js'
import type { Command } from '../main.js'
import type { PolicyView } from '../../api/access-routes.js'

const WATCHER_CHANGES: Record<string, string> = {
  added: 'started watching you',
  renewed: 'renewed its subscription',
  cancelled: 'stopped watching you',
  expired: 'stopped renewing: its subscription ran out'
}

function printPolicy (policy: PolicyView): void {
  const rule = (r: PolicyView['rules'][number]): string => `${r.uri}  ${r.rule === 'allow' ? `allow (${r.view ?? 'full'} view)` : r.rule === 'block' ? 'block (polite)' : 'deny'}`
  printFields([
    ['default', `${policy.default}${policy.default === 'public' ? ' (anyone sees your full presence)' : ' (strangers see only "closed")'}`],
    ['anonymous watchers', policy.anonymousRefused ? 'refused (no public view)' : 'allowed (public view)'],
    ['rules', policy.rules.map(rule)],
    ['waiting requests', policy.requests.map(r => `${r.uri}  since ${r.since}`)]
  ])
}

export const policy: Command = {
  usage: 'pmesh policy [set --default public|ask|deny] [--json]',
  summary: 'show your presence access policy, or set the default for watchers without a rule',
  run: async argv => {
    const { values, positionals, home } = parse(argv, { default: { type: 'string' } }, { min: 0, max: 1 })
    const show = positionals.length === 0 && values.default == null
    if (!show) {
      if (positionals[0] !== 'set' || values.default == null) throw new UsageError('expected "policy" or "policy set --default public|ask|deny"')
      if (!(DEFAULT_POLICIES as readonly string[]).includes(values.default)) throw new UsageError(`--default takes one of ${DEFAULT_POLICIES.join(', ')}`)
    }
    const client = await ApiClient.fromHome(home)
    const result = show ? await client.call('access') : await client.call('setAccess', { body: { default: values.default as PolicyView['default'] } })
    if (values.json === true) printJson(result)
    else printPolicy(result)
  }
}

function ruleCommand (action: 'deny' | 'block' | 'revoke', summary: string, done: string): Command {
  return {
    usage: `pmesh ${action} URI [--json]`,
    summary,
    run: async argv => {
      const { values, positionals, home } = parse(argv, {}, { min: 1, max: 1 })
      const client = await ApiClient.fromHome(home)
      const result = await client.call(action, { body: { target: await resolveTarget(client, positionals[0]) } })
      if (values.json === true) printJson(result)
      else print(`${done} ${positionals[0]}`)
    }
  }
}

export const allow: Command = {
  usage: `pmesh allow URI [--view ${VIEW_NAMES.join('|')}] [--json]`,
  summary: 'let a watcher see your presence (default: the view it has if already allowed, else the full view); approves its waiting request',
  run: async argv => {
    const { values, positionals, home } = parse(argv, { view: { type: 'string' } }, { min: 1, max: 1 })
    if (values.view != null && !(VIEW_NAMES as readonly string[]).includes(values.view)) throw new UsageError(`--view takes one of ${VIEW_NAMES.join(', ')}`)
    const client = await ApiClient.fromHome(home)
    const uri = await resolveTarget(client, positionals[0])
    const target = await peerIdOf(uri)
    // without --view the node keeps the view of a watcher already allowed
    const result = await client.call('allow', { body: { target: uri, view: values.view as ViewName | undefined } })
    if (values.json === true) printJson(result)
    else print(`allowed ${positionals[0]} (${result.rules.find(r => r.peerId === target)?.view ?? 'full'} view)`)
  }
}

export const deny = ruleCommand('deny', 'refuse a watcher: it is told, and its subscription ends', 'denied')
export const block = ruleCommand('block', 'politely block: the person seems subscribed but only ever sees "closed", and its messages seem delivered but are dropped', 'blocked')
export const revoke = ruleCommand('revoke', 'withdraw a watcher\'s rule and end its subscription; the default decides its next request', 'revoked')
export const unblock: Command = { ...ruleCommand('revoke', 'lift a block (presence and messages)', 'unblocked'), usage: 'pmesh unblock URI [--json]' }

export const requests: Command = {
  usage: 'pmesh requests [--follow] [approve URI [--view NAME] | deny URI] [--json]',
  summary: 'list the requests to watch you that wait for your decision (--follow: and print new ones and watcher changes as they come), or decide one',
  run: async argv => {
    const { values, positionals, home } = parse(argv, { view: { type: 'string' }, follow: { type: 'boolean' } }, { min: 0, max: 2 })
    if (positionals.length === 0) return listRequests(home, values.follow === true, values.json === true)
    if (positionals.length !== 2) throw new UsageError('expected "requests approve URI" or "requests deny URI"')
    const [decision, uri] = positionals
    const common = ['--home', home, ...(values.json === true ? ['--json'] : [])]
    if (decision === 'approve') return allow.run([uri, ...common, ...(values.view != null ? ['--view', values.view] : [])])
    if (decision === 'deny') return deny.run([uri, ...common])
    throw new UsageError(`unknown decision "${decision}" (approve or deny)`)
  }
}

/** RFC 2779 §5.1.11–12: the presentity sees who waits, and is told of new requests and watchers */
async function listRequests (home: string, follow: boolean, json: boolean): Promise<void> {
  const client = await ApiClient.fromHome(home)
  const controller = new AbortController()
  const stop = (): void => controller.abort()
  // listen for the signals before printing anything: whoever reads the output may signal at once
  if (follow) {
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  }
  // open the stream before listing, so nothing arrives unseen in between
  const events = follow ? await client.events({ signal: controller.signal }) : undefined
  const result = await client.call('access')
  if (json && !follow) return printJson(result.requests)
  if (result.requests.length === 0 && !follow) print('no waiting requests')
  for (const r of result.requests) {
    if (json) printJson(r)
    else print(`${r.uri}  since ${r.since}  (transaction ${r.transactionId})`)
  }
  if (events == null) return
  try {
    for await (const event of events) {
      const data = event.data as any
      if (event.type === 'presence:request') {
        if (json) printJson({ event: 'request', ...data })
        else print(`${String(data.uri)} asks to watch you: pmesh requests approve ${String(data.uri)} | pmesh requests deny ${String(data.uri)}`)
      } else if (event.type === 'presence:watcher') {
        if (json) printJson({ event: 'watcher', ...data })
        else print(`pres:${String(data.peerId)} ${WATCHER_CHANGES[data.change] ?? String(data.change)}`)
      }
    }
  } catch (err: any) {
    if (!controller.signal.aborted) throw err
  }
}
