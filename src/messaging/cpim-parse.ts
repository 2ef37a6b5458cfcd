/**
 * The reader of message/cpim (RFC 3862): message headers, a blank line, a MIME entity (content
 * headers, a blank line, the content). Header names are case-sensitive and may carry a prefix
 * declared earlier by `NS:` (`NS: <uri>` sets the default namespace, a prefix may be redeclared, an
 * undeclared one is an error); parameters may precede a value (`Subject:;lang=fr …`). Lines end in
 * CRLF; LF is accepted, and the outer MIME wrapper (`Content-Type: message/cpim`, a blank line) is
 * skipped, its Content-Length (which `frameCpim` writes so a stream of messages can be split) honoured.
 */
import { LANGUAGE_TAG } from '../utils/formats.js'
import { DEFAULT_MAX_CPIM_LENGTH, TOKEN_CHAR } from './constants.js'
import { address, CPIM_NAMESPACE, CTL, dateTime, excerpt, NAME, unescape, utf8 } from './cpim-grammar.js'
import { contentLength, decodeTransfer, mimeHeaders } from './cpim-mime.js'
import { InvalidCpimError } from './errors.js'
import type { FromCpimOptions, ParsedCpim } from './cpim.js'

const HEADER_LINE = new RegExp(`^(?:(${NAME})\\.)?(${NAME}):`)
const PARAM = new RegExp(`^;(${NAME})=("(?:[^"\\\\]|\\\\.)*"|(?:[A-Za-z0-9!#$%&'*+^_\`|~.-]|[^\\x00-\\x7f])+)`)
const NS_VALUE = new RegExp(`^(?:(${NAME}) *)?<([^<>\\s]+)>$`)
const HEADER_NAME = new RegExp(`^(?:(${NAME})\\.)?(${NAME})$`)
const MIME_TYPE = new RegExp(`^${TOKEN_CHAR}+\\/${TOKEN_CHAR}+\\s*(;.*)?$`)
const WRAPPER = /^content-type:\s*message\/cpim\s*(;.*)?$/i

/** Parse message/cpim text (or its bytes, to keep 8-bit content exact). Throws only InvalidCpimError */
export function fromCpim (input: string | Uint8Array, options: FromCpimOptions = {}): ParsedCpim {
  const maxLength = options.maxLength ?? DEFAULT_MAX_CPIM_LENGTH
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
  if (!MIME_TYPE.test(parsed.contentType)) throw new InvalidCpimError(`Content-Type "${excerpt(parsed.contentType)}" is not a MIME type`)
  const raw = new Uint8Array(bytes.subarray(content.next < 0 ? bytes.length : content.next)) // a copy, never a Buffer
  parsed.body = decodeTransfer(raw, parsed.contentHeaders['content-transfer-encoding'])
  return parsed
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
    if (match == null) throw new InvalidCpimError(`Malformed header line "${excerpt(line)}"`)
    const [, prefix, name] = match
    let rest = line.slice(match[0].length)
    const entries: Array<[string, string]> = []
    for (let param = PARAM.exec(rest); param != null; param = PARAM.exec(rest)) {
      entries.push([param[1], param[2].startsWith('"') ? unescape(param[2].slice(1, -1)) : param[2]])
      rest = rest.slice(param[0].length)
    }
    // fromEntries makes own properties, even of "__proto__"
    const params: Record<string, string> = Object.fromEntries(entries)
    if (rest !== '' && !rest.startsWith(' ')) throw new InvalidCpimError(`Header "${excerpt(line)}" needs a space after the colon and parameters`)
    if (params.lang != null && !LANGUAGE_TAG.test(params.lang)) throw new InvalidCpimError(`"${excerpt(params.lang)}" is not a language tag`)
    const value = rest.slice(1)
    if (CTL.test(value)) throw new InvalidCpimError(`Control character in the value of ${match[0]} (escape it)`)
    const namespace = resolve(prefix, name)
    if (name === 'NS' && (prefix == null || namespace === CPIM_NAMESPACE)) {
      const ns = NS_VALUE.exec(value.trim())
      if (ns == null) throw new InvalidCpimError(`Malformed NS header "${excerpt(value)}" (expected [prefix] <URI>)`)
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
        if (m == null) throw new InvalidCpimError(`Require names "${excerpt(required)}", which is not a header name`)
        parsed.require.push({ namespace: resolve(m[1], m[2]), name: m[2] })
      }
    }
  }
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
