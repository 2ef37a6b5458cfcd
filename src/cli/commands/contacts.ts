/**
 * `pmesh contacts` (list, add, rename, remove) and `pmesh invite`: people by
 * name. A thin client: invitations are made and checked by the node.
 */
import { ApiClient } from '../../api/client.js'
import { looksLikeAddress } from '../../contacts/names.js'
import { parse } from '../args.js'
import { UsageError } from '../errors.js'
import { print, printJson } from '../output.js'
import type { Command } from '../main.js'
import type { ContactView } from '../../api/contacts-routes.js'

/** How long `pmesh contacts add` waits for the node: an invitation's hand-over may dial through a relay */
const ADD_WAIT_MS = 60_000
const SUBSCRIPTION_STATES: Record<ContactView['subscription'], string> = {
  registered: '',
  waiting: '',
  'awaiting-approval': '  (awaiting their approval)',
  refused: '  (they refused to let you see their presence)',
  none: '  (subscribing…)'
}

/** One line a contact: name, availability, note, last seen, unread messages */
export function contactLine (c: ContactView): string {
  const state = c.basic === 'open' ? c.availability : c.basic === 'closed' ? `offline${c.lastSeen != null ? `, last seen ${ago(c.lastSeen)}` : ''}` : 'unknown (not seen yet)'
  const note = c.note != null ? `  "${c.note}"` : ''
  const unread = c.unread > 0 ? `  ${c.unread} unread` : ''
  const invitation = c.invitation === 'pending' ? '  (invitation handed over when they are next online)' : ''
  return `${c.name.padEnd(16)} ${state}${note}${unread}${SUBSCRIPTION_STATES[c.subscription]}${invitation}`
}

/** "12 s ago", "5 min ago", … or the date for anything older than a day */
function ago (iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  if (s < 60) return `${s} s ago`
  if (s < 3600) return `${Math.floor(s / 60)} min ago`
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min ago`
  return iso.slice(0, 16).replace('T', ' ') + ' UTC'
}

export const contacts: Command = {
  usage: 'pmesh contacts [--json] | pmesh contacts add URI|INVITE [--name NAME] [--as ME] | pmesh contacts rename NAME NEW-NAME | pmesh contacts remove NAME',
  summary: 'your contacts, one line each (availability, note, last seen, unread messages); add one by address or invitation (--as: the name the inviter will know you by), rename or remove one',
  run: async argv => {
    const { values, positionals, home } = parse(argv, { name: { type: 'string' }, as: { type: 'string' } }, { min: 0, max: 3 })
    const [action, ...args] = positionals
    const client = await ApiClient.fromHome(home)
    const json = values.json === true
    if (action == null) {
      const { contacts } = await client.call('contacts')
      if (json) return printJson(contacts)
      if (contacts.length === 0) print('no contacts yet: pmesh invite makes an invitation to give a friend, pmesh contacts add INVITE accepts one')
      for (const c of contacts) print(contactLine(c))
      return
    }
    if (action === 'add') {
      if (args.length !== 1) throw new UsageError('expected "contacts add URI|INVITE [--name NAME]"')
      const invite = args[0].trim().toLowerCase().startsWith('pmesh:') || args[0].includes('#pmesh:')
      if (!invite && !looksLikeAddress(args[0])) throw new UsageError(`"${args[0]}" is neither an invitation (pmesh:…) nor an address (pres:…, im:…, a peer id)`)
      const result = await client.call('addContact', { body: invite ? { invite: args[0], name: values.name, me: values.as } : { target: args[0], name: values.name, me: values.as } }, { signal: AbortSignal.timeout(ADD_WAIT_MS) })
      if (json) return printJson(result)
      const how = result.invitation === 'accepted'
        ? '; you are in their contacts too'
        : result.invitation === 'pending' ? `; they are not reachable now: the invitation is handed over when ${result.contact.name} is next online` : ''
      print(`added ${result.contact.name} (${result.contact.uri})${how}`)
      return
    }
    if (action === 'rename') {
      if (args.length !== 2) throw new UsageError('expected "contacts rename NAME NEW-NAME"')
      const renamed = await client.call('updateContact', { params: { contact: args[0] }, body: { name: args[1] } })
      return json ? printJson(renamed) : print(`renamed ${args[0]} to ${renamed.name}`)
    }
    if (action === 'remove') {
      if (args.length !== 1) throw new UsageError('expected "contacts remove NAME"')
      const { removed } = await client.call('removeContact', { params: { contact: args[0] } })
      return json ? printJson(removed) : print(`removed ${removed.name} (${removed.uri}); what they may see of you is unchanged (pmesh revoke ${removed.name} withdraws it)`)
    }
    throw new UsageError(`unknown action "${action}" (add, rename or remove)`)
  }
}

/** "7d", "12h", "30m", "3600s" or plain seconds */
export function parseDuration (text: string): number {
  const match = /^(\d+)\s*(d|h|m|s)?$/.exec(text.trim())
  if (match == null) throw new UsageError(`--expires takes a duration such as 7d, 12h, 30m or 3600s, not "${text}"`)
  return Number(match[1]) * { d: 86_400, h: 3600, m: 60, s: 1 }[match[2] as 'd' | 'h' | 'm' | 's' ?? 's']
}

export const invite: Command = {
  usage: 'pmesh invite [--name ME] [--expires 7d] [--community] [--json]',
  summary: 'make an invitation to give a friend (single use, 7 days by default); --community on a relay: one that lets new nodes join through it',
  run: async argv => {
    const { values, home } = parse(argv, { name: { type: 'string' }, expires: { type: 'string' }, community: { type: 'boolean' } }, { min: 0, max: 0 })
    const expires = values.expires == null ? undefined : parseDuration(values.expires)
    if (values.community === true && expires != null) throw new UsageError('a community invitation does not expire; --expires is for personal ones')
    const result = await (await ApiClient.fromHome(home)).call('invite', { body: { name: values.name, expires, community: values.community } })
    if (values.json === true) return printJson(result)
    print(result.invite)
    if (result.kind === 'community') process.stderr.write('a new node joins with: pmesh start --join INVITE (or "join": "INVITE" in its config.json)\n')
    else process.stderr.write(`give it to one person; they run: pmesh contacts add INVITE  (valid until ${result.expires ?? 'never'}${result.name === '' ? '; --name sets the name you go by' : `, as ${result.name}`})\n`)
  }
}
