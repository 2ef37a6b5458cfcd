/**
 * `pmesh send`, `inbox`, `reply`: instant messages. Blocking a person is
 * in access.ts: it covers presence and messages.
 */
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { toString } from 'uint8arrays/to-string'
import { ApiClient } from '../../api/client.js'
import { INBOX_MODES } from '../../api/endpoints.js'
import { resolveTarget } from '../target.js'
import { parse, peerIdOf } from '../args.js'
import { UsageError } from '../errors.js'
import { print, printJson } from '../output.js'
import { detectType, suggestedName, unsafeName } from '../mime-type.js'
import type { Command } from '../main.js'
import type { MessageView } from '../../api/messaging-routes.js'

interface SendOutcome { status: string, reason?: string, detail?: string, id: string, ms: number }

/** How long send and reply wait for the node's answer: longer than the node's own send timeout, which ends first */
const SEND_WAIT_MS = 120_000
/** What the recipient's limits on strangers mean for the person sending */
const HINTS: Record<string, string> = {
  'rate-limited': 'you are not among the recipient\'s contacts and sent too many too fast; wait before sending again',
  'inbox-full': 'the recipient\'s inbox takes nothing more from you until it deletes some of your messages',
  'too-large': 'a message carries at most 1 MiB of body (text or a file) unless the node\'s config.json sets "messaging": { "maxBodySize": … }; send a link to a larger file instead'
}

/** Print a send result; a failure becomes the command's error (exit 1) */
function report (result: SendOutcome, to: string, json: boolean): void {
  if (json) printJson({ status: result.status, reason: result.reason ?? null, detail: result.detail ?? null, id: result.id, ms: result.ms })
  else if (result.status === 'delivered') print(`delivered to ${to} in ${result.ms} ms (id ${result.id})`)
  else if (result.status === 'stored') print(`stored for ${to} by a mailbox in ${result.ms} ms; it is delivered when the recipient comes online (id ${result.id})`)
  else if (result.status === 'queued') print(`not delivered to ${to} yet: ${result.reason ?? 'unreachable'}${result.detail != null && result.detail !== '' ? ` (${result.detail})` : ''}; queued in the outbox (id ${result.id}), see "pmesh inbox --sent"`)
  if (result.status === 'failed') {
    const hint = result.reason != null && HINTS[result.reason] != null ? `\n${HINTS[result.reason]}` : ''
    throw new Error(`not delivered to ${to}: ${result.reason}${result.detail != null && result.detail !== '' ? ` (${result.detail})` : ''} after ${result.ms} ms${hint}`)
  }
}

/** A sent message's outcome, as `pmesh inbox --sent` shows it */
function outcome (o: { status: string, reason?: string, at?: number } | undefined): string {
  if (o == null) return ''
  const at = o.at == null ? '' : ` ${new Date(o.at).toISOString()}`
  if (o.status === 'queued') return `  [queued: ${o.reason ?? 'unreachable'}; sent when the recipient is next seen online]`
  return `  [${o.status}${o.reason != null ? `: ${o.reason}` : ''}${at}]`
}

function sizeOf (body: { text?: string, bodyBase64?: string }): number {
  return body.text != null ? Buffer.byteLength(body.text) : Math.floor((body.bodyBase64?.replace(/=+$/, '').length ?? 0) * 3 / 4)
}

/** `names`: contacts' names by im: URI, shown beside the sender's (or, for a sent message, the recipient's) */
function describe (m: any, names: Map<string, string> = new Map()): string {
  const body = m.text ?? `[${m.contentType}, ${m.size} bytes]`
  const who = (uri: string): string => names.has(uri) ? `${names.get(uri) ?? ''} (${uri})` : uri
  const party = m.outcome != null ? `to ${who(m.to)}${outcome(m.outcome)}` : who(m.from)
  return `${m.receivedAt ?? m.date}  ${party}${m.subject != null ? `  "${m.subject}"` : ''}\n  ${body.replace(/\n/g, '\n  ')}\n  (id ${m.id}${m.inReplyTo != null ? `, reply to ${m.inReplyTo}` : ''})`
}

async function contactNames (client: ApiClient): Promise<Map<string, string>> {
  const { contacts } = await client.call('contacts').catch(() => ({ contacts: [] }))
  return new Map(contacts.map(c => [c.im, c.name]))
}

export const send: Command = {
  usage: 'pmesh send URI [TEXT] [--file PATH] [--type MIME] [--subject TEXT] [--json]',
  summary: 'send a message (TEXT, or the contents of --file) and report delivered, stored or failed',
  run: async argv => {
    const { values, positionals, home } = parse(argv, { file: { type: 'string' }, type: { type: 'string' }, subject: { type: 'string' } }, { min: 1, max: 2 })
    const [name, text] = positionals
    if ((text == null) === (values.file == null)) throw new UsageError('give the message as TEXT or with --file PATH (one of them)')
    let body: { text?: string, bodyBase64?: string, contentType?: string } = { text, contentType: values.type }
    if (values.file != null) {
      const file = values.file
      const bytes = await readFile(file).catch((err: any) => { throw new UsageError(`cannot read ${file}: ${err.message}`) })
      body = { bodyBase64: toString(bytes, 'base64pad'), contentType: values.type ?? detectType(file, bytes) }
    }
    const client = await ApiClient.fromHome(home)
    const to = await resolveTarget(client, name)
    // the node gives up on its own after its send timeout; allow for it
    const result = await client.call('send', { body: { to, subject: values.subject, ...body } }, { signal: AbortSignal.timeout(SEND_WAIT_MS) }).catch((err: any) => {
      // far over the message limit, the request is over the API's own limit first: name the one that matters
      if (err?.status === 413) return { status: 'failed', reason: 'too-large', detail: `the body is ${sizeOf(body)} bytes`, id: '', ms: 0 }
      throw err
    })
    report(result, name, values.json === true)
  }
}

export const reply: Command = {
  usage: 'pmesh reply ID TEXT [--json]',
  summary: 'answer a message from the inbox',
  run: async argv => {
    const { values, positionals, home } = parse(argv, {}, { min: 2, max: 2 })
    const client = await ApiClient.fromHome(home)
    const result = await client.call('reply', { params: { id: positionals[0] }, body: { text: positionals[1] } }, { signal: AbortSignal.timeout(SEND_WAIT_MS) })
    report(result, `the sender of ${positionals[0]}`, values.json === true)
  }
}

export const inbox: Command = {
  usage: 'pmesh inbox [--follow] [--sent] [--json | --cpim] | pmesh inbox policy [everyone|contacts|nobody] [--silent | --no-silent] | pmesh inbox allow|disallow URI | pmesh inbox delete ID [--from URI] | pmesh inbox save ID [PATH] [--from URI]',
  summary: 'list received (or --sent) messages, follow new ones, show/set who may write to you (allow: always accept a sender; disallow: withdraw that), delete a message, or save a received file',
  run: async argv => {
    const { values, positionals, home } = parse(argv, { follow: { type: 'boolean', short: 'f' }, sent: { type: 'boolean' }, cpim: { type: 'boolean' }, silent: { type: 'boolean' }, 'no-silent': { type: 'boolean' }, from: { type: 'string' } }, { min: 0, max: 3 })
    if (positionals[0] === 'save') return await save(home, positionals[1], positionals[2], values.from, values.json === true)
    if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals[2]}"`)
    if (positionals[0] === 'delete') {
      if (positionals[1] == null) throw new UsageError('give the id of the message to delete')
      const client = await ApiClient.fromHome(home)
      const from = values.from == null ? undefined : await resolveTarget(client, values.from)
      const result = await client.call('deleteMessage', { params: { id: positionals[1] }, query: { from } })
      if (values.json === true) printJson(result)
      else print(`deleted ${positionals[1]}`)
      return
    }
    const client = await ApiClient.fromHome(home)
    if (positionals[0] === 'allow' || positionals[0] === 'disallow') {
      if (positionals[1] == null) throw new UsageError(`give the address or contact name to ${positionals[0]}`)
      const target = await resolveTarget(client, positionals[1])
      // disallow withdraws the sender's rule: the inbox policy decides again (a block is lifted with unblock)
      const policy = await client.call(positionals[0] === 'allow' ? 'inboxAllow' : 'inboxUnblock', { body: { target } })
      if (values.json === true) return printJson(policy)
      print(positionals[0] === 'allow' ? `${positionals[1]} may always write to you` : `${positionals[1]} is no longer on your allow list; the inbox policy (${policy.mode}) decides`)
      return
    }
    if (positionals[0] === 'policy') {
      if (positionals[1] != null && !(INBOX_MODES as readonly string[]).includes(positionals[1])) throw new UsageError(`the inbox policy is one of ${INBOX_MODES.join(', ')}`)
      const silent = values.silent === true ? true : values['no-silent'] === true ? false : undefined
      const policy = positionals[1] == null && silent == null
        ? await client.call('inboxPolicy')
        : await client.call('setInboxPolicy', { body: { mode: positionals[1] as typeof INBOX_MODES[number] | undefined, silent } })
      if (values.json === true) return printJson(policy)
      print(`accept messages from: ${policy.mode}`)
      print(`blocked senders: ${policy.silent !== true ? 'told "refused"' : policy.mode === 'everyone' ? 'not told (answered as strangers: their messages seem delivered and are dropped)' : 'not told (refused as every non-contact is)'}`)
      print(`allowed: ${policy.allow.length === 0 ? '(none)' : policy.allow.join(', ')}`)
      print(`blocked: ${policy.block.length === 0 ? '(none)' : policy.block.join(', ')}`)
      return
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`)
    if (values.cpim === true) {
      if (values.follow === true) throw new UsageError('--cpim lists stored messages; it does not combine with --follow')
      const { messages } = await client.call('messages', { query: { format: 'cpim', box: values.sent === true ? 'sent' : undefined } }) as { messages: Array<{ cpim: string }> }
      // framed with Content-Length, so the output splits back into messages (splitCpim)
      // loaded here: the CPIM grammar pulls in the URI and key code that other commands never need
      const { frameCpim } = await import('../../messaging/cpim-mime.js')
      for (const m of messages) process.stdout.write(frameCpim(m.cpim))
      return
    }
    const names = values.json === true ? new Map<string, string>() : await contactNames(client)
    const printMessage = (m: any): void => {
      if (values.json === true) printJson(m)
      else print(describe(m, names))
    }
    let events
    const controller = new AbortController()
    if (values.follow === true) {
      process.once('SIGINT', () => controller.abort())
      process.once('SIGTERM', () => controller.abort())
      // open the stream before listing, so nothing arrives unseen in between
      events = await client.events({ signal: controller.signal })
    }
    const { messages } = await client.call('messages', { query: { box: values.sent === true ? 'sent' : undefined } })
    if (messages.length === 0 && values.json !== true && values.follow !== true) print(values.sent === true ? 'nothing sent' : 'inbox is empty')
    messages.forEach(printMessage)
    // what was listed counts as read in `pmesh contacts`; a node without contacts has nothing to mark
    if (values.sent !== true) await client.call('markRead', { body: {} }).catch(() => {})
    if (events == null) return
    try {
      for await (const event of events) {
        if (event.type === 'im:message') printMessage(event.data)
      }
    } catch (err: any) {
      if (!controller.signal.aborted) throw err
    }
  }
}

/**
 * `inbox save ID [PATH]`: a received message's body, written to PATH (a
 * directory gets the sender's suggested name) or to the suggested name here.
 * An existing file is never overwritten, and a suggested name that would
 * leave the directory is refused.
 */
async function save (home: Parameters<typeof ApiClient.fromHome>[0], id: string | undefined, path: string | undefined, fromTarget: string | undefined, json: boolean): Promise<void> {
  if (id == null) throw new UsageError('give the id of the message to save')
  const client = await ApiClient.fromHome(home)
  const from = fromTarget == null ? undefined : `im:${await peerIdOf(await resolveTarget(client, fromTarget))}`
  const { messages } = await client.call('messages', {}) as { messages: MessageView[] }
  const matches = messages.filter(m => m.id === id && (from == null || m.from === from))
  if (matches.length === 0) throw new Error(`no message with id ${id} in the inbox`)
  if (matches.length > 1) throw new UsageError(`several senders used the id ${id}; pick one with --from URI`)
  const m = matches[0]
  const directory = path == null ? '.' : await stat(path).then(s => s.isDirectory() ? path : undefined, () => undefined)
  // a path that is not a directory is the file to write
  let target = path
  if (directory != null) {
    const suggested = suggestedName(m.contentType)
    const why = suggested == null ? undefined : unsafeName(suggested)
    if (why != null) throw new Error(`the sender's suggested file name ${JSON.stringify(suggested)} is refused: ${why}; give a PATH to save it to`)
    target = join(directory, suggested ?? `message-${id.replace(/[^A-Za-z0-9._-]/g, '_')}`)
  }
  const body = m.text != null ? new TextEncoder().encode(m.text) : fromBase64(m.bodyBase64 ?? '')
  // wx: an existing file is an error, never overwritten
  await writeFile(target ?? '', body, { flag: 'wx' }).catch((err: any) => {
    throw new Error(err.code === 'EEXIST' ? `${target ?? ''} exists; not overwritten (give another PATH)` : `cannot write ${target ?? ''}: ${err.message}`)
  })
  if (json) printJson({ id, path: target, size: body.byteLength, contentType: m.contentType })
  else print(`saved ${body.byteLength} bytes (${m.contentType}) to ${target ?? ''}`)
}

function fromBase64 (text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'))
}
