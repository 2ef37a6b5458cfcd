/**
 * Our messages as message/cpim (RFC 3862), the form gateways use for instant messages, both ways:
 * toCpim writes one, cpimToMessage takes a parsed one back. cpim-parse.ts reads any CPIM text
 * (fromCpim), cpim-grammar.ts holds what reader and writer share (namespaces, escapes, addresses,
 * RFC 3339 DateTime) and cpim-mime.ts the MIME around it (content headers, transfer encodings,
 * RFC 2231 parameters, the framing of a stream of messages).
 *
 * What we write (docs/PROTOCOL.md): `From: <im:SENDER>`, `To: <im:RECIPIENT>`, `DateTime:` in UTC
 * with ms and `Z`, `Subject:` if set; `PM.Message-ID`, `PM.Reply-To`, `PM.In-Reply-To` under
 * `NS: PM <urn:presence-mesh:cpim>`; each extension header, in order, as `EXT.<name>` under
 * `NS: EXT <urn:presence-mesh:cpim:ext>`, `.` (which CPIM names lack) as `%2E`, `%` as `%25`.
 * Values escape `\` as `\\`, tab as `\t`, unpaired surrogates as `\uXXXX`, a trailing space as
 * `\u0020`. Content goes as is, with no Content-Transfer-Encoding (CPIM transports are 8-bit clean),
 * when it is text its label describes — UTF-8 for `charset=utf-8` and for JSON/XML, multipart and
 * message types (which must not be base64-encoded), ASCII for text without charset or `us-ascii` —
 * free of NUL and bare CR; else as base64 in 76-column lines. Content-Type parameters with non-ASCII
 * values go in RFC 2231 form (`name*=utf-8''caf%C3%A9`) and are read back from it. Lines end in CRLF.
 */
import { toString } from 'uint8arrays'
import { formatImUri } from '../uri/index.js'
import { MAX_TIMESTAMP } from '../utils/formats.js'
import { DEFAULT_MAX_BODY_SIZE } from './constants.js'
import { CPIM_NAMESPACE, escape, EXT_NAMESPACE, PM_NAMESPACE, utf8 } from './cpim-grammar.js'
import { decodeParams, encodeParams } from './cpim-mime.js'
import { InvalidCpimError, InvalidMessageError } from './errors.js'
import { validateMessage, type InstantMessage, type MessageHeader } from './message.js'
import type { PeerId } from '@libp2p/interface'

export { CPIM_NAMESPACE, EXT_NAMESPACE, PM_NAMESPACE } from './cpim-grammar.js'
export { fromCpim } from './cpim-parse.js'
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

/** `id` without PM.Message-ID, `date` without DateTime (default: now); `maxBodySize` (default: 1 MiB) */
export interface CpimDefaults { id?: string, date?: number, maxBodySize?: number }

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
