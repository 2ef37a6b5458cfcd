/**
 * message/cpim (RFC 3862), the form gateways use for instant messages: message headers, a blank
 * line, a MIME entity (content headers, a blank line, the content). Header names are case-sensitive
 * and may carry a prefix declared earlier by `NS:` (`NS: <uri>` sets the default namespace, a prefix
 * may be redeclared, an undeclared one is an error); parameters may precede a value
 * (`Subject:;lang=fr …`); values use the §2.3 backslash escapes (`\\`, `\t`, `\uXXXX`, …).
 *
 * Our messages (docs/PROTOCOL.md): `From: <im:SENDER>`, `To: <im:RECIPIENT>`, `DateTime:` in UTC
 * with ms and `Z`, `Subject:` if set; `PM.Message-ID`, `PM.Reply-To`, `PM.In-Reply-To` under
 * `NS: PM <urn:presence-mesh:cpim>`; each extension header, in order, as `EXT.<name>` under
 * `NS: EXT <urn:presence-mesh:cpim:ext>`, `.` (which CPIM names lack) as `%2E`, `%` as `%25`.
 * Values escape `\` as `\\`, tab as `\t`, unpaired surrogates as `\uXXXX`, a trailing space as
 * `\u0020`. Content goes as is, with no Content-Transfer-Encoding (CPIM transports are 8-bit clean),
 * when it is text its label describes — UTF-8 for `charset=utf-8` and for JSON/XML, multipart and
 * message types (which must not be base64-encoded), ASCII for text without charset or `us-ascii` —
 * free of NUL and bare CR; else as base64 in 76-column lines. Content-Type parameters with non-ASCII
 * values go in RFC 2231 form (`name*=utf-8''caf%C3%A9`) and are read back from it. Lines end in CRLF;
 * LF is accepted, and the outer MIME wrapper (`Content-Type: message/cpim`, a blank line) is skipped,
 * its Content-Length (which `frameCpim` writes so a stream of messages can be split) honoured.
 */
import { toString } from 'uint8arrays'
import { formatImUri, parseUri } from '../uri/index.js'
import { LANGUAGE_TAG, MAX_TIMESTAMP } from '../utils/formats.js'
import { DEFAULT_MAX_BODY_SIZE } from './constants.js'
import { base64, contentLength, decodeParams, encodeParams, quotedPrintable } from './cpim-mime.js'
import { InvalidCpimError, InvalidMessageError } from './errors.js'
import { validateMessage, type InstantMessage, type MessageHeader } from './message.js'
import type { PeerId } from '@libp2p/interface'

/** The RFC 3862 headers: From, To, cc, DateTime, Subject, NS, Require */
export const CPIM_NAMESPACE = 'urn:ietf:params:cpim-headers:'
/** Ours: Message-ID, Reply-To, In-Reply-To */
export const PM_NAMESPACE = 'urn:presence-mesh:cpim'
/** The message's own extension headers */
export const EXT_NAMESPACE = 'urn:presence-mesh:cpim:ext'

// defined with the other errors, so that cpim-mime.ts throws it without importing this module back
export { InvalidCpimError } from './errors.js'

/** `name`: the Formal-name, unquoted and unescaped; `peerId`: set when the URI is `im:<peerId>` */
export interface CpimAddress { name?: string, uri: string, peerId?: PeerId }

export interface CpimHeader {
  namespace: string // the namespace URI the name resolved to
  prefix?: string // as written
  name: string
  value: string // escapes decoded; for From, To, cc, DateTime and Require as written
  params: Record<string, string>
}

export interface ParsedCpim {
  from?: CpimAddress
  to: CpimAddress[]
  cc: CpimAddress[]
  dateTime?: Date
  dateTimeText?: string // as written, with its offset
  subjects: Array<{ text: string, lang?: string }>
  namespaces: Array<{ prefix?: string, uri: string }> // NS headers in order; no prefix: the default namespace
  require: Array<{ namespace: string, name: string }> // headers named by Require, resolved
  headers: CpimHeader[] // every message header but NS, in order
  contentType: string // default `text/plain; charset=us-ascii` (RFC 2045)
  contentHeaders: Record<string, string> // the content's MIME headers, names lower-cased
  body: Uint8Array // transfer encoding removed
}

/** `schemes`: those allowed in From/To/cc, e.g. `['im']` (default: any); `maxLength`: bytes (default: 4 MiB) */
export interface FromCpimOptions { schemes?: string[], maxLength?: number }

/** `id` without PM.Message-ID, `date` without DateTime (default: now); `maxBodySize` (default: 64 KiB) */
export interface CpimDefaults { id?: string, date?: number, maxBodySize?: number }

const NAME = "[A-Za-z0-9!#$%&'*+^_`|~-]+"
const HEADER_LINE = new RegExp(`^(?:(${NAME})\\.)?(${NAME}):`)
const PARAM = new RegExp(`^;(${NAME})=("(?:[^"\\\\]|\\\\.)*"|(?:[A-Za-z0-9!#$%&'*+^_\`|~.-]|[^\\x00-\\x7f])+)`)
const NS_VALUE = new RegExp(`^(?:(${NAME}) *)?<([^<>\\s]+)>$`)
const HEADER_NAME = new RegExp(`^(?:(${NAME})\\.)?(${NAME})$`)
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"]+$/
// eslint-disable-next-line no-control-regex
const CTL = /[\x00-\x08\x0a-\x1f\x7f]/ // in header values these must be escaped; HT is tolerated
const MIME_TYPE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+\s*(;.*)?$/
const WRAPPER = /^content-type:\s*message\/cpim\s*(;.*)?$/i
const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', r: '\r', '"': '"', "'": "'", '\\': '\\' }
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\b': '\\b' }
// fatal: bad UTF-8 is an error, not U+FFFD; ignoreBOM: a leading U+FEFF is content, not dropped
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Render a message as message/cpim. Throws InvalidMessageError for an invalid message */
export function toCpim (message: InstantMessage): string {
  validateMessage(message, Infinity)
  if (message.date > MAX_TIMESTAMP) throw new InvalidCpimError('DateTime after the year 9999 cannot be written in RFC 3339')
  const lines = [`From: <${formatImUri(message.from)}>`, `To: <${formatImUri(message.to)}>`, `DateTime: ${new Date(message.date).toISOString()}`]
  if (message.subject != null) lines.push(`Subject: ${escape(message.subject)}`)
  lines.push(`NS: PM <${PM_NAMESPACE}>`, `PM.Message-ID: ${escape(message.id)}`)
  if (message.replyTo != null) lines.push(`PM.Reply-To: ${escape(message.replyTo)}`)
  if (message.inReplyTo != null) lines.push(`PM.In-Reply-To: ${escape(message.inReplyTo)}`)
  if (message.headers.length > 0) lines.push(`NS: EXT <${EXT_NAMESPACE}>`)
  for (const { name, value } of message.headers) lines.push(`EXT.${name.replace(/[%.]/g, c => c === '%' ? '%25' : '%2E')}: ${escape(value)}`)
  const text = inlineText(message.contentType, message.body)
  lines.push('', `Content-Type: ${encodeParams(message.contentType)}`)
  if (text == null) lines.push('Content-Transfer-Encoding: base64')
  lines.push('', text ?? (toString(message.body, 'base64pad').match(/.{1,76}/g) ?? []).join('\r\n'))
  return lines.join('\r\n')
}

/** Parse message/cpim text (or its bytes, to keep 8-bit content exact). Throws only InvalidCpimError */
export function fromCpim (input: string | Uint8Array, options: FromCpimOptions = {}): ParsedCpim {
  const maxLength = options.maxLength ?? 4 * 1024 * 1024
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) throw new InvalidCpimError('message/cpim must be text or bytes')
  const input8 = typeof input === 'string' ? new TextEncoder().encode(input.slice(0, maxLength + 1)) : input
  if (input8.byteLength > maxLength) throw new InvalidCpimError(`message/cpim longer than ${maxLength} bytes`)
  let bytes = input8
  let head = block(bytes, 0)
  if (head.next >= 0 && head.lines.some(line => WRAPPER.test(line))) {
    const length = contentLength(mimeHeaders(head.lines))
    if (length != null) {
      if (bytes.length - head.next < length) throw new InvalidCpimError(`Content-Length ${length} exceeds the ${bytes.length - head.next} bytes that follow`)
      bytes = bytes.subarray(0, head.next + length)
    }
    head = block(bytes, head.next)
  }
  if (head.next < 0) throw new InvalidCpimError('No blank line after the message headers')
  if (head.lines.length === 0) throw new InvalidCpimError('No message headers before the blank line')
  const parsed: ParsedCpim = { to: [], cc: [], subjects: [], namespaces: [], require: [], headers: [], contentType: '', contentHeaders: {}, body: new Uint8Array() }
  messageHeaders(head.lines, parsed, options)
  const content = block(bytes, head.next)
  // content headers with no content may end the text without their blank line (cpim.js's msg2 does)
  if (content.next < 0 && content.lines.length === 0) throw new InvalidCpimError('No content headers after the message headers')
  parsed.contentHeaders = mimeHeaders(content.lines, content.next < 0 ? 'No blank line between the content headers and the content' : undefined)
  parsed.contentType = parsed.contentHeaders['content-type'] ?? 'text/plain; charset=us-ascii'
  if (!MIME_TYPE.test(parsed.contentType)) throw new InvalidCpimError(`Content-Type "${parsed.contentType.slice(0, 80)}" is not a MIME type`)
  const raw = new Uint8Array(bytes.subarray(content.next < 0 ? bytes.length : content.next)) // a copy, never a Buffer
  const encoding = (parsed.contentHeaders['content-transfer-encoding'] ?? '7bit').trim().toLowerCase()
  if (encoding === 'base64') parsed.body = base64(raw)
  else if (encoding === 'quoted-printable') parsed.body = quotedPrintable(raw)
  else if (['7bit', '8bit', 'binary'].includes(encoding)) parsed.body = raw
  else throw new InvalidCpimError(`Unknown Content-Transfer-Encoding "${encoding.slice(0, 80)}"`)
  return parsed
}

/**
 * A parsed CPIM message between presence-mesh peers as one of our messages.
 * Throws InvalidCpimError (or MessageTooLargeError for a body over the limit)
 */
export function cpimToMessage (parsed: ParsedCpim, defaults: CpimDefaults = {}): InstantMessage {
  const from = parsed.from?.peerId
  if (from == null) throw new InvalidCpimError('From must be a presence-mesh address (im:<peerId>)')
  const to = parsed.to.length === 1 ? parsed.to[0].peerId : undefined
  if (to == null) throw new InvalidCpimError('Expected one To, a presence-mesh address (im:<peerId>)')
  // RFC 3862 §3.5: a message requiring a header we do not process must not be taken as understood
  for (const { namespace, name } of parsed.require) {
    if (namespace !== CPIM_NAMESPACE && namespace !== EXT_NAMESPACE && !(namespace === PM_NAMESPACE && ['Message-ID', 'Reply-To', 'In-Reply-To'].includes(name))) {
      throw new InvalidCpimError(`Message requires header ${name} of ${namespace}, which presence-mesh does not support`)
    }
  }
  const pm = (name: string): string | undefined => parsed.headers.find(h => h.namespace === PM_NAMESPACE && h.name === name)?.value
  const id = pm('Message-ID') ?? defaults.id
  if (id == null) throw new InvalidCpimError('No PM.Message-ID header and no default id')
  const headers: MessageHeader[] = parsed.headers.filter(h => h.namespace === EXT_NAMESPACE)
    .map(h => ({ name: h.name.replace(/%(25|2E)/gi, (_, hex: string) => hex === '25' ? '%' : '.'), value: h.value }))
  const date = parsed.dateTime?.getTime() ?? defaults.date ?? Date.now()
  const subject = parsed.subjects.find(s => s.lang == null)?.text ?? parsed.subjects[0]?.text
  const message: InstantMessage = { from, to, id, date, subject, contentType: decodeParams(parsed.contentType), body: parsed.body, headers, replyTo: pm('Reply-To'), inReplyTo: pm('In-Reply-To') }
  try {
    validateMessage(message, defaults.maxBodySize ?? DEFAULT_MAX_BODY_SIZE)
  } catch (err) {
    if (err instanceof InvalidMessageError) throw new InvalidCpimError(`Not a valid instant message: ${err.message}`)
    throw err
  }
  return message
}

function messageHeaders (lines: string[], parsed: ParsedCpim, options: FromCpimOptions): void {
  const prefixes = new Map<string, string>()
  let defaultNamespace = CPIM_NAMESPACE
  const resolve = (prefix: string | undefined, name: string): string => {
    const namespace = prefix == null ? defaultNamespace : prefixes.get(prefix)
    if (namespace == null) throw new InvalidCpimError(`Prefix "${prefix}" of ${prefix}.${name} is not declared by an NS header`)
    return namespace
  }
  for (const line of lines) {
    const match = HEADER_LINE.exec(line)
    if (match == null) throw new InvalidCpimError(`Malformed header line "${line.slice(0, 80)}"`)
    const [, prefix, name] = match
    let rest = line.slice(match[0].length)
    const entries: Array<[string, string]> = []
    for (let param = PARAM.exec(rest); param != null; param = PARAM.exec(rest)) {
      entries.push([param[1], param[2].startsWith('"') ? unescape(param[2].slice(1, -1)) : param[2]])
      rest = rest.slice(param[0].length)
    }
    // fromEntries makes own properties, even of "__proto__"
    const params: Record<string, string> = Object.fromEntries(entries)
    if (rest !== '' && !rest.startsWith(' ')) throw new InvalidCpimError(`Header "${line.slice(0, 80)}" needs a space after the colon and parameters`)
    if (params.lang != null && !LANGUAGE_TAG.test(params.lang)) throw new InvalidCpimError(`"${params.lang.slice(0, 80)}" is not a language tag`)
    const value = rest.slice(1)
    if (CTL.test(value)) throw new InvalidCpimError(`Control character in the value of ${match[0]} (escape it)`)
    const namespace = resolve(prefix, name)
    if (name === 'NS' && (prefix == null || namespace === CPIM_NAMESPACE)) {
      const ns = NS_VALUE.exec(value.trim())
      if (ns == null) throw new InvalidCpimError(`Malformed NS header "${value.slice(0, 80)}" (expected [prefix] <URI>)`)
      parsed.namespaces.push({ prefix: ns[1], uri: ns[2] })
      if (ns[1] == null) defaultNamespace = ns[2]
      else prefixes.set(ns[1], ns[2])
      continue
    }
    const core = namespace === CPIM_NAMESPACE
    const structured = core && ['From', 'To', 'cc', 'DateTime', 'Require'].includes(name)
    parsed.headers.push({ namespace, prefix, name, value: structured ? value : unescape(value), params })
    if (!core) continue
    // a second From or DateTime would let gateways disagree on who sent a message, or when
    if ((name === 'From' && parsed.from != null) || (name === 'DateTime' && parsed.dateTime != null)) throw new InvalidCpimError(`More than one ${name} header`)
    if (name === 'From') {
      parsed.from = address(value, options)
    } else if (name === 'To' || name === 'cc') {
      (name === 'To' ? parsed.to : parsed.cc).push(address(value, options))
    } else if (name === 'DateTime') {
      parsed.dateTimeText = value.trim()
      parsed.dateTime = dateTime(parsed.dateTimeText)
    } else if (name === 'Subject') {
      parsed.subjects.push({ text: unescape(value), lang: params.lang })
    } else if (name === 'Require') {
      for (const required of value.split(',')) {
        const m = HEADER_NAME.exec(required.trim())
        if (m == null) throw new InvalidCpimError(`Require names "${required.slice(0, 80)}", which is not a header name`)
        parsed.require.push({ namespace: resolve(m[1], m[2]), name: m[2] })
      }
    }
  }
}

/** `[Formal-name] <URI>`: a quoted string or plain words (also `Name<URI>` without the space) */
function address (value: string, options: FromCpimOptions): CpimAddress {
  const text = value.trim()
  const open = text.lastIndexOf('<')
  if (open < 0 || !text.endsWith('>')) throw new InvalidCpimError(`"${text.slice(0, 80)}" is not an address ([Name] <URI>)`)
  const uri = text.slice(open + 1, -1)
  if (!URI.test(uri)) throw new InvalidCpimError(`"${uri.slice(0, 80)}" in an address is not an absolute URI`)
  const before = text.slice(0, open).trim()
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(before)
  if (quoted == null && /[<>"]/.test(before)) throw new InvalidCpimError(`Malformed name in "${text.slice(0, 80)}"`)
  const name = quoted != null ? unescape(quoted[1]) : before === '' ? undefined : before
  const scheme = uri.slice(0, uri.indexOf(':')).toLowerCase()
  if (options.schemes != null && !options.schemes.some(s => s.toLowerCase() === scheme)) {
    throw new InvalidCpimError(`Address <${uri.slice(0, 80)}>: only ${options.schemes.join(', ')} URIs are accepted`)
  }
  let peerId: PeerId | undefined
  if (scheme === 'im') {
    try {
      // a "url" peer id (an identity multihash holding a URL) has no key: it is nobody's address here
      peerId = [parseUri(uri).peerId].find(id => id?.type !== 'url')
    } catch {
      // RFC 3860 wants im:user@host, but peers send `im:tigger` (liblinphone takes it): an address
      // all the same, just nobody in the mesh
    }
  }
  return { name, uri, peerId }
}

/** RFC 3339 date-time (`T` or a space between date and time), ranges checked */
function dateTime (value: string): Date {
  const m = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(\.\d+)?(?:[Zz]|([+-])(\d\d):(\d\d))$/.exec(value)
  const [y, mo, d, h, mi, s, oh, om] = [1, 2, 3, 4, 5, 6, 9, 10].map(i => Number(m?.[i] ?? 0))
  const monthDays = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
  if (m == null || mo < 1 || mo > 12 || d < 1 || d > monthDays[mo - 1] || h > 23 || mi > 59 || s > 60 || oh > 23 || om > 59) {
    throw new InvalidCpimError(`DateTime "${value.slice(0, 80)}" is not an RFC 3339 date-time`)
  }
  const date = new Date(0)
  // setUTCFullYear, as Date.UTC maps the years 0-99 to 1900-1999
  date.setUTCFullYear(y, mo - 1, d)
  date.setUTCHours(h, mi, s, Number((m[7] ?? '.0').slice(1, 4).padEnd(3, '0')))
  return new Date(date.getTime() - (m[8] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000)
}

/** RFC 2045 headers: names lower-cased, folded lines unfolded; a repeated name is an error */
function mimeHeaders (lines: string[], malformed?: string): Record<string, string> {
  const headers = new Map<string, string>()
  const unfolded: string[] = []
  for (const line of lines) unfolded.push(/^[ \t]/.test(line) && unfolded.length > 0 ? `${unfolded.pop()}${line}` : line)
  for (const line of unfolded) {
    const match = /^([!-9;-~]+):[ \t]*/.exec(line)
    if (match == null || CTL.test(line)) throw new InvalidCpimError(malformed ?? `Malformed content header "${line.slice(0, 80)}"`)
    const name = match[1].toLowerCase()
    if (headers.has(name)) throw new InvalidCpimError(`Content header ${match[1]} appears twice`)
    headers.set(name, line.slice(match[0].length))
  }
  return Object.fromEntries(headers)
}

/** Lines from `start` up to a blank line, and where the text after it begins (-1: no blank line) */
function block (bytes: Uint8Array, start: number): { lines: string[], next: number } {
  const lines: string[] = []
  for (let pos = start; pos < bytes.length;) {
    const lf = bytes.indexOf(0x0a, pos)
    const end = lf < 0 ? bytes.length : lf
    const content = end > pos && bytes[end - 1] === 0x0d ? end - 1 : end
    if (lf >= 0 && content === pos) return { lines, next: lf + 1 }
    try {
      lines.push(utf8.decode(bytes.subarray(pos, content)))
    } catch {
      throw new InvalidCpimError('Headers are not valid UTF-8')
    }
    pos = end + 1
  }
  return { lines, next: -1 }
}

/** The body as it can travel unencoded (see the file comment), or undefined for base64 */
function inlineText (contentType: string, body: Uint8Array): string | undefined {
  const [essence, ...params] = contentType.toLowerCase().split(';')
  const [type, subtype] = essence.trim().split('/')
  const charset = params.map(p => p.trim()).find(p => p.startsWith('charset='))?.slice(8).replace(/^"(.*)"$/, '$1')
  const utf8Type = type === 'multipart' || type === 'message' || (type === 'application' && /^(json|xml)$|\+(json|xml)$/.test(subtype))
  if (type !== 'text' && !utf8Type) return undefined
  const ascii = charset === 'us-ascii' || (charset == null && type === 'text')
  if (!ascii && charset != null && charset !== 'utf-8' && charset !== 'utf8') return undefined
  if (ascii && body.some(b => b > 0x7f)) return undefined
  try {
    const text = utf8.decode(body)
    return /\0|\r(?!\n)/.test(text) ? undefined : text
  } catch {
    return undefined
  }
}

/** Backslash, CTLs and unpaired surrogates (which UTF-8 cannot carry) as RFC 3862 escapes */
function escape (value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\\\x00-\x1f\x7f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, c => ESCAPED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/ $/, '\\u0020')
}

/** RFC 3862 §2.3 escapes; a backslash that starts none stays as it is */
function unescape (value: string): string {
  return value.replace(/\\(u[0-9A-Fa-f]{4}|[btnr"'\\])/g, (_, e: string) => e.length > 1 ? String.fromCharCode(parseInt(e.slice(1), 16)) : ESCAPES[e])
}
