/**
 * message/cpim (RFC 3862), the form gateways use for instant messages.
 *
 * A CPIM message is a block of message headers, a blank line, a block of
 * MIME headers of the content, a blank line and the content. Header names
 * are case-sensitive and may carry a namespace prefix declared earlier by an
 * `NS:` header (`NS: <uri>` without a prefix sets the default namespace);
 * an undeclared prefix makes the message invalid. Values may be preceded by
 * parameters (`Subject:;lang=fr beau temps`).
 *
 * Mapping of our messages: From/To as `<im:peerId>`, DateTime in RFC 3339
 * (UTC), Subject; the message id, reply-to and in-reply-to as `PM.Message-ID`,
 * `PM.Reply-To`, `PM.In-Reply-To` with `NS: PM <urn:presence-mesh:cpim>`;
 * extension headers as `EXT.<name>` with `NS: EXT <urn:presence-mesh:cpim:ext>`.
 * Text content in UTF-8 is carried as is; any other content as base64 with
 * `Content-Transfer-Encoding: base64`. Lines end in CRLF (LF is accepted).
 */
import { fromString, toString } from 'uint8arrays'
import { formatImUri, parseUri } from '../uri/index.js'
import type { InstantMessage, MessageHeader } from './message.js'
import type { PeerId } from '@libp2p/interface'

export const CPIM_NAMESPACE = 'urn:ietf:params:cpim-headers:'
const PM_NAMESPACE = 'urn:presence-mesh:cpim'
const EXT_NAMESPACE = 'urn:presence-mesh:cpim:ext'
const NAME = /^(?:([A-Za-z0-9!#$%&'*+\-^_`|~]+)\.)?([A-Za-z0-9!#$%&'*+\-^_`|~]+)$/
const ADDRESS = /^\s*(?:"((?:[^"\\]|\\.)*)"|([^<"]*?))\s*<([^<>\s]+)>\s*$/

/** Malformed message/cpim text */
export class InvalidCpimError extends Error {
  static name = 'InvalidCpimError'
  name = 'InvalidCpimError'
}

export interface CpimAddress {
  name?: string
  uri: string
  /** Set when the URI is a presence-mesh `im:`/`pres:` peer id */
  peerId?: PeerId
}

export interface CpimHeader {
  /** Namespace URI the name resolved to */
  namespace: string
  name: string
  value: string
  params: Record<string, string>
}

export interface ParsedCpim {
  from?: CpimAddress
  to: CpimAddress[]
  cc: CpimAddress[]
  dateTime?: Date
  subjects: Array<{ text: string, lang?: string }>
  /** Every message header, standard ones included, resolved to its namespace */
  headers: CpimHeader[]
  contentType: string
  /** The content's MIME headers, names lower-cased */
  contentHeaders: Record<string, string>
  body: Uint8Array
}

export function toCpim (message: InstantMessage): string {
  const lines = [
    `From: <${formatImUri(message.from)}>`,
    `To: <${formatImUri(message.to)}>`,
    `DateTime: ${new Date(message.date).toISOString()}`
  ]
  if (message.subject != null) lines.push(`Subject: ${message.subject}`)
  lines.push(`NS: PM <${PM_NAMESPACE}>`, `PM.Message-ID: ${message.id}`)
  if (message.replyTo != null) lines.push(`PM.Reply-To: ${message.replyTo}`)
  if (message.inReplyTo != null) lines.push(`PM.In-Reply-To: ${message.inReplyTo}`)
  if (message.headers.length > 0) lines.push(`NS: EXT <${EXT_NAMESPACE}>`, ...message.headers.map(h => `EXT.${h.name}: ${h.value}`))
  const text = isUtf8Text(message.contentType) ? utf8(message.body) : undefined
  lines.push('', `Content-Type: ${message.contentType}`)
  if (text == null) lines.push('Content-Transfer-Encoding: base64')
  lines.push('', text ?? toString(message.body, 'base64pad'))
  return lines.join('\r\n')
}

export function fromCpim (text: string): ParsedCpim {
  if (typeof text !== 'string' || text.length > 4 * 1024 * 1024) throw new InvalidCpimError('message/cpim must be a string of at most 4 MiB')
  const [messageBlock, rest] = splitBlock(text, 'message headers')
  // content headers with no content may end the text without a blank line
  const [contentBlock, content] = /\r?\n\r?\n/.test(rest) ? splitBlock(rest, 'content headers') : [rest.split(/\r?\n/).filter(l => l !== ''), '']
  const parsed: ParsedCpim = { to: [], cc: [], subjects: [], headers: [], contentType: 'text/plain', contentHeaders: {}, body: new Uint8Array() }
  const prefixes = new Map<string, string>()
  let defaultNamespace = CPIM_NAMESPACE
  for (const line of messageBlock) {
    const { prefix, name, params, value } = headerLine(line)
    if (prefix == null && name === 'NS') {
      const ns = /^(?:([A-Za-z0-9!#$%&'*+\-^_`|~]+)\s*)?<([^<>\s]+)>$/.exec(value)
      if (ns == null) throw new InvalidCpimError(`Malformed NS header "${value}"`)
      if (ns[1] == null) defaultNamespace = ns[2]
      else prefixes.set(ns[1], ns[2])
      continue
    }
    const namespace = prefix == null ? defaultNamespace : prefixes.get(prefix)
    if (namespace == null) throw new InvalidCpimError(`Header prefix "${prefix}" is not declared by an NS header`)
    parsed.headers.push({ namespace, name, value, params })
    if (namespace !== CPIM_NAMESPACE) continue
    if (name === 'From') parsed.from = address(value)
    else if (name === 'To') parsed.to.push(address(value))
    else if (name === 'cc') parsed.cc.push(address(value))
    else if (name === 'Subject') parsed.subjects.push({ text: value, lang: params.lang })
    else if (name === 'DateTime') parsed.dateTime = dateTime(value)
  }
  for (const line of contentBlock) {
    const colon = line.indexOf(':')
    if (colon < 1) throw new InvalidCpimError(`Malformed content header "${line}"`)
    parsed.contentHeaders[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  parsed.contentType = parsed.contentHeaders['content-type'] ?? 'text/plain'
  const encoding = parsed.contentHeaders['content-transfer-encoding']?.toLowerCase()
  if (encoding === 'base64') {
    try {
      parsed.body = fromString(content.replace(/\s+/g, ''), 'base64pad')
    } catch {
      throw new InvalidCpimError('Content is not valid base64')
    }
  } else {
    parsed.body = fromString(content)
  }
  return parsed
}

/** A parsed CPIM message from a presence-mesh peer as one of our messages */
export function cpimToMessage (parsed: ParsedCpim, defaults: { id?: string } = {}): InstantMessage {
  const from = parsed.from?.peerId
  const to = parsed.to[0]?.peerId
  if (from == null || to == null) throw new InvalidCpimError('From and To must be presence-mesh addresses (im:<peerId>)')
  const pm = (name: string): string | undefined => parsed.headers.find(h => h.namespace === PM_NAMESPACE && h.name === name)?.value
  const id = pm('Message-ID') ?? defaults.id
  if (id == null) throw new InvalidCpimError('No PM.Message-ID header and no id given')
  const headers: MessageHeader[] = parsed.headers.filter(h => h.namespace === EXT_NAMESPACE).map(h => ({ name: h.name, value: h.value }))
  return {
    from,
    to,
    id,
    date: parsed.dateTime?.getTime() ?? Date.now(),
    subject: parsed.subjects.find(s => s.lang == null)?.text ?? parsed.subjects[0]?.text,
    contentType: parsed.contentType,
    body: parsed.body,
    headers,
    replyTo: pm('Reply-To'),
    inReplyTo: pm('In-Reply-To')
  }
}

/** Lines up to the first blank line, and the text after it */
function splitBlock (text: string, what: string): [string[], string] {
  const match = /\r?\n\r?\n/.exec(text)
  if (match == null) throw new InvalidCpimError(`No blank line after the ${what}`)
  const block = text.slice(0, match.index)
  return [block === '' ? [] : block.split(/\r?\n/), text.slice(match.index + match[0].length)]
}

function headerLine (line: string): { prefix?: string, name: string, params: Record<string, string>, value: string } {
  const colon = line.indexOf(':')
  const match = colon < 1 ? null : NAME.exec(line.slice(0, colon))
  if (match == null) throw new InvalidCpimError(`Malformed header line "${line.slice(0, 80)}"`)
  let rest = line.slice(colon + 1)
  const params: Record<string, string> = {}
  while (rest.startsWith(';')) {
    const param = /^;([A-Za-z0-9\-_]+)=([^;\s]*)/.exec(rest)
    if (param == null) throw new InvalidCpimError(`Malformed header parameter in "${line.slice(0, 80)}"`)
    params[param[1]] = param[2]
    rest = rest.slice(param[0].length)
  }
  if (!rest.startsWith(' ')) throw new InvalidCpimError(`Header "${match[0]}" needs a space before its value`)
  return { prefix: match[1], name: match[2], params, value: rest.slice(1).trim() }
}

function address (value: string): CpimAddress {
  const match = ADDRESS.exec(value)
  if (match == null) throw new InvalidCpimError(`"${value}" is not an address ([Name] <URI>)`)
  const name = (match[1] ?? match[2])?.trim()
  const uri = match[3]
  let peerId: PeerId | undefined
  if (/^(im|pres):/i.test(uri)) {
    try {
      peerId = parseUri(uri).peerId
    } catch (err: any) {
      throw new InvalidCpimError(`Bad address ${uri}: ${err.message}`)
    }
  }
  return { name: name === '' ? undefined : name, uri, peerId }
}

function dateTime (value: string): Date {
  const date = new Date(value)
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(value) || Number.isNaN(date.getTime())) {
    throw new InvalidCpimError(`DateTime "${value}" is not an RFC 3339 date-time`)
  }
  return date
}

function isUtf8Text (contentType: string): boolean {
  const [type, ...params] = contentType.toLowerCase().split(';').map(s => s.trim())
  const charset = params.find(p => p.startsWith('charset='))?.slice(8).replace(/"/g, '')
  return type.startsWith('text/') && (charset == null || charset === 'utf-8')
}

/** The body as text when it is valid UTF-8 without a bare CR that CRLF line handling would alter */
function utf8 (body: Uint8Array): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body)
    return /\r(?!\n)/.test(text) ? undefined : text
  } catch {
    return undefined
  }
}
