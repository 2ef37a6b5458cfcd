/**
 * `pmesh status`, `fetch`, `watch`, `subscriptions`, `watchers`: presence.
 */
import { ApiClient } from '../../api/client.js'
import { parse, peerIdOf } from '../args.js'
import { resolveTarget } from '../target.js'
import { UsageError } from '../errors.js'
import { print, printJson } from '../output.js'
import type { Command } from '../main.js'
import type { PresenceView } from '../../api/presence-view.js'
import type { Availability } from '../../presence/record.js'

/** What a user types → what is published */
const STATES: Record<string, { basic: 'open' | 'closed', availability?: Availability }> = {
  available: { basic: 'open', availability: 'available' },
  busy: { basic: 'open', availability: 'busy' },
  idle: { basic: 'open', availability: 'idle' },
  away: { basic: 'open', availability: 'away' },
  dnd: { basic: 'open', availability: 'do-not-disturb' },
  // offline: no busy or dnd left over from before (issue 16)
  offline: { basic: 'closed', availability: 'unknown' }
}
const DEFAULT_WATCH_DURATION_S = 3600

/** One readable line for a presentity's state */
export function describe (view: PresenceView): string {
  if (view.updated == null) return `${view.target}  unknown (nothing published yet)`
  if (view.access === 'restricted') return `${view.target}  restricted (it shows strangers nothing and has granted this node no view)  updated ${view.updated}`
  const state = view.basic === 'open' ? `open ${view.availability}` : `closed (last seen ${view.lastSeen})`
  const note = view.note != null ? `  "${view.note}"${view.lang != null ? ` [${view.lang}]` : ''}` : ''
  const contact = [...view.contact.emails, ...view.contact.phones, view.contact.web].filter(Boolean).join(', ')
  return `${view.target}  ${state}${note}${contact !== '' ? `  <${contact}>` : ''}  updated ${view.updated}`
}

export const status: Command = {
  usage: 'pmesh status [set available|busy|idle|away|dnd|offline [--note TEXT] [--lang TAG] [--email ADDR]… [--tel NUMBER]… [--postal TEXT] [--web URL] [--clear-note] [--clear-contact] [--for URI --delegation CERT]] [--json]',
  summary: 'show or set your own presence (or, with --for, that of a presentity that delegated to this node)',
  run: async argv => {
    const { values, positionals, home } = parse(argv, {
      note: { type: 'string' },
      lang: { type: 'string' },
      'clear-note': { type: 'boolean' },
      'clear-contact': { type: 'boolean' },
      email: { type: 'string', multiple: true },
      tel: { type: 'string', multiple: true },
      postal: { type: 'string' },
      web: { type: 'string' },
      for: { type: 'string' },
      delegation: { type: 'string' }
    }, { min: 0, max: 2 })
    if ((values.for == null) !== (values.delegation == null)) throw new UsageError('--for and --delegation go together')
    const client = await ApiClient.fromHome(home)
    if (values.for != null) values.for = await resolveTarget(client, values.for)
    let view: PresenceView
    if (positionals.length === 0) {
      view = await client.call('presence')
    } else {
      if (positionals[0] !== 'set' || positionals.length !== 2) throw new UsageError('expected "status" or "status set STATE"')
      const state = STATES[positionals[1]]
      if (state == null) throw new UsageError(`unknown state "${positionals[1]}" (one of ${Object.keys(STATES).join(', ')})`)
      const contactGiven = values.email != null || values.tel != null || values.postal != null || values.web != null
      if (values['clear-contact'] === true && contactGiven) throw new UsageError('--clear-contact removes every contact field; it does not combine with --email, --tel, --postal or --web')
      if (values['clear-note'] === true && values.note != null) throw new UsageError('--clear-note and --note do not combine')
      const update = {
        ...state,
        note: values['clear-note'] === true ? null : values.note,
        lang: values.lang,
        // contact flags give the whole card: what is not given is cleared
        contact: contactGiven || values['clear-contact'] === true ? { emails: values.email ?? [], phones: values.tel ?? [], postal: values.postal ?? null, web: values.web ?? null } : undefined
      }
      view = values.for == null || values.delegation == null
        ? await client.call('setPresence', { body: update })
        : await client.call('publishFor', { params: { target: values.for }, body: { ...update, delegation: values.delegation } })
    }
    if (values.json === true) printJson(view)
    else print(describe(view))
  }
}

export const delegate: Command = {
  usage: 'pmesh delegate URI [--days N] [--json]',
  summary: 'let another node of yours publish your presence (default 30 days); prints the delegation to give it',
  run: async argv => {
    const { values, positionals, home } = parse(argv, { days: { type: 'string' } }, { min: 1, max: 1 })
    const days = values.days == null ? undefined : Number(values.days)
    if (days != null && !(days >= 1 && days <= 366)) throw new UsageError('--days must be a number from 1 to 366')
    const client = await ApiClient.fromHome(home)
    const result = await client.call('delegate', { body: { target: await resolveTarget(client, positionals[0]), days } })
    if (values.json === true) return printJson(result)
    const self = await client.call('id')
    print(`${result.delegate} may publish your presence until ${result.expires}. On that node run:`)
    print(`  pmesh status set STATE --for ${self.uri} --delegation ${result.delegation}`)
  }
}

export const fetchCommand: Command = {
  usage: 'pmesh fetch URI [--json | --format pidf]',
  summary: 'get a presentity\'s current presence, also while it is offline',
  run: async argv => {
    const { values, positionals, home } = parse(argv, { format: { type: 'string' } }, { min: 1, max: 1 })
    if (values.format != null && values.format !== 'pidf') throw new UsageError('--format takes "pidf"')
    const client = await ApiClient.fromHome(home)
    const result = await client.call('fetch', { params: { target: await resolveTarget(client, positionals[0]) }, query: { format: values.format === 'pidf' ? 'pidf' : undefined } })
    if ('pidf' in result) process.stdout.write(result.pidf.endsWith('\n') ? result.pidf : `${result.pidf}\n`)
    else if (values.json === true) printJson(result)
    else print(describe(result))
  }
}

/** How long `watch --duration 0` waits for the notify of a one-time fetch */
const ONE_TIME_WAIT_MS = 15_000

export const watch: Command = {
  usage: 'pmesh watch URI… [--duration SECONDS] [--json]',
  summary: `subscribe and print every notify until the duration ends (default ${DEFAULT_WATCH_DURATION_S} s) or Ctrl-C`,
  run: async argv => {
    const { values, positionals, home } = parse(argv, { duration: { type: 'string' } }, { min: 1, max: Infinity })
    const duration = values.duration == null ? DEFAULT_WATCH_DURATION_S : Number(values.duration)
    if (!Number.isInteger(duration) || duration < 0) throw new UsageError('--duration must be a whole number of seconds')
    const client = await ApiClient.fromHome(home)
    const uris = await Promise.all(positionals.map(async text => resolveTarget(client, text)))
    const targets = new Map(await Promise.all(uris.map(async uri => [await peerIdOf(uri), uri] as const)))
    const controller = new AbortController()
    const stop = (): void => controller.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)

    // open the event stream first: the first notify follows the response at once
    const events = await client.events({ signal: controller.signal })
    const live = new Set<string>()
    // duration 0 is a one-time fetch: the command waits for each target's single notify
    const awaiting = new Set<string>()
    const notified = new Set<string>()
    let subscribed = false
    const failures: string[] = []
    const done = (async () => {
      try {
        for await (const event of events) {
          const data = event.data as any
          if (!targets.has(data.peerId ?? '') && !targets.has(String(data.target ?? '').replace(/^pres:/, ''))) continue
          if (event.type === 'presence:notify') {
            if (values.json === true) printJson(data)
            else print(`${new Date().toISOString().slice(11, 23)}  ${describe(data)}`)
            notified.add(String(data.peerId))
            awaiting.delete(String(data.peerId))
            if (subscribed && live.size === 0 && awaiting.size === 0) controller.abort()
          } else if (event.type === 'presence:subscription-end') {
            live.delete(String(data.target).replace(/^pres:/, ''))
            if (data.reason === 'refused') failures.push(`${String(data.target)}: refused`)
            else if (data.reason === 'cancelled' && values.json !== true) process.stderr.write(`${String(data.target)} cancelled the subscription\n`)
            if (live.size === 0 && awaiting.size === 0) controller.abort()
          }
        }
      } catch (err: any) {
        if (!controller.signal.aborted) throw err
      }
    })()

    // a contact's subscription is the node's own: follow its notifies and leave it in place
    const kept = new Set((await client.call('subscriptions')).subscriptions.map(s => s.peerId).filter(id => targets.has(id) && duration > 0))
    for (const [peerId, uri] of targets) {
      if (kept.has(peerId)) {
        live.add(peerId)
        const view = await client.call('fetch', { params: { target: uri } }).catch(() => undefined)
        if (view != null && !('pidf' in view)) {
          if (values.json === true) printJson(view)
          else print(`${new Date().toISOString().slice(11, 23)}  ${describe(view)}`)
        }
        continue
      }
      const response = await client.call('subscribe', { body: { target: uri, duration } })
      if (response.status === 'pending') {
        // the subscription waits for the presentity's user; a notify follows the decision
        if (duration > 0) live.add(peerId)
        if (values.json !== true) process.stderr.write(`waiting for ${uri} to approve (transaction ${response.transactionId})\n`)
        continue
      }
      if (response.status !== 'success') {
        failures.push(`${uri}: ${response.reason}`)
        continue
      }
      if (duration > 0) live.add(peerId)
      else if (!notified.has(peerId)) awaiting.add(peerId)
      if (values.json !== true) process.stderr.write(`${subscribedLine(uri, response)}\n`)
    }
    subscribed = true
    let gaveUp: NodeJS.Timeout | undefined
    if (live.size === 0 && awaiting.size === 0) controller.abort()
    else if (live.size === 0) {
      // a presentity that is offline sends nothing: say so rather than wait for ever
      gaveUp = setTimeout(() => {
        for (const peerId of awaiting) process.stderr.write(`no notify from ${targets.get(peerId) ?? peerId} within ${ONE_TIME_WAIT_MS / 1000} s\n`)
        controller.abort()
      }, ONE_TIME_WAIT_MS)
    }
    // the node's own subscriptions do not end with ours: the duration ends the watching
    const keptTimer = kept.size > 0 ? setTimeout(() => controller.abort(), duration * 1000) : undefined
    await done
    clearTimeout(gaveUp)
    clearTimeout(keptTimer)
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    // interrupted: the subscriptions were this command's, end them
    for (const peerId of live) {
      if (kept.has(peerId)) continue
      // best effort on the way out: one the node could not end runs out at its duration
      await client.call('unsubscribe', { params: { target: targets.get(peerId) ?? peerId } }).catch(() => {})
    }
    if (failures.length > 0) throw new Error(`subscription refused: ${failures.join('; ')}`)
  }
}

/**
 * What a successful subscribe means for the user: nothing is known of a
 * presentity that never published (a typo, or never online), and one that is
 * offline granted nothing yet — the subscription registers once it is back
 */
function subscribedLine (uri: string, response: { transactionId: string, duration: number, state: PresenceView }): string {
  if (response.state.updated == null) return `waiting for ${uri}: nothing is known of it yet (a wrong address, or it has never been online); you will see it when it comes online (transaction ${response.transactionId})`
  if (response.state.basic === 'closed') return `waiting for ${uri} to come online (transaction ${response.transactionId}); it is offline, last seen ${response.state.lastSeen ?? response.state.updated}`
  return `subscribed to ${uri} (transaction ${response.transactionId}, granted ${response.duration} s)`
}

export const subscriptions: Command = {
  usage: 'pmesh subscriptions [--json]',
  summary: 'list the presentities this node is subscribed to',
  run: async argv => {
    const { values, home } = parse(argv, {}, { min: 0, max: 0 })
    const result = await (await ApiClient.fromHome(home)).call('subscriptions')
    if (values.json === true) return printJson(result.subscriptions)
    if (result.subscriptions.length === 0) print('no subscriptions')
    for (const s of result.subscriptions) print(`${s.target}  until ${s.until}  ${s.awaitingApproval === true ? 'awaiting the presentity\'s approval' : s.registered === true ? 'registered' : 'waiting for the presentity'}  (transaction ${s.transactionId})`)
  }
}

export const watchers: Command = {
  usage: 'pmesh watchers [--json]',
  summary: 'list who is subscribed to your presence',
  run: async argv => {
    const { values, home } = parse(argv, {}, { min: 0, max: 0 })
    const result = await (await ApiClient.fromHome(home)).call('watchers')
    if (values.json === true) return printJson(result.watchers)
    if (result.watchers.length === 0) print('no watchers')
    for (const w of result.watchers) print(`${w.uri}  since ${w.since}  until ${w.expires}${w.rule === 'default' ? '' : `  (${w.rule as string})`}`)
  }
}
