/**
 * The MIME around message/cpim: RFC 2045 content headers, the content transfer encodings, RFC 2231 parameter values, so a file name in any script survives
 * 7-bit MIME readers, and the framing that lets a stream of messages (`pmesh inbox --cpim`) be
 * split back into messages.
 *
 * Framing: each message as a MIME entity, `Content-Type: message/cpim`, `Content-Length:` (its
 * bytes in UTF-8), a blank line, the message, CRLF. The length, not a separator, ends a message, so
 * a body that itself holds CPIM text (or blank lines) cannot look like the next message.
 */
import { fromString } from 'uint8arrays'
import { TOKEN_CHAR } from './constants.js'
import { CTL, excerpt } from './cpim-grammar.js'
import { InvalidCpimError } from './errors.js'

// A parameter: `; name=token`, `; name="quoted"` or `; name*=…`, each with the text before it
const PARAM = new RegExp(`;\\s*(${TOKEN_CHAR}+)\\s*=\\s*("(?:[^"\\\\]|\\\\.)*"|[^;\\s]*)\\s*`, 'gy')
const CONTINUED = /^(.+?)\*(\d+)(\*?)$/
const ATTR_CHAR = /[!#$&+\-.^_`|~0-9A-Za-z]/
const utf8 = new TextDecoder('utf-8', { fatal: true })
// base64 and quoted-printable are ASCII; other octets decode to characters neither accepts
const latin1 = new TextDecoder('latin1')
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** A Content-Type with each non-ASCII parameter value in RFC 2231 form; others as written */
export function encodeParams (contentType: string): string {
  const parsed = splitParams(contentType)
  // eslint-disable-next-line no-control-regex
  if (parsed == null || !parsed.params.some(([, value]) => /[^\x00-\x7f]/.test(unquote(value)))) return contentType
  return parsed.type + parsed.params.map(([name, value]) => {
    const text = unquote(value)
    // eslint-disable-next-line no-control-regex
    if (!/[^\x00-\x7f]/.test(text)) return `; ${name}=${value}`
    const octets = [...new TextEncoder().encode(text)]
      .map(b => ATTR_CHAR.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
    return `; ${name}*=utf-8''${octets.join('')}`
  }).join('')
}

/**
 * A Content-Type with RFC 2231 values (`name*=charset'lang'%XX…`, continuations `name*0*=…`)
 * decoded into quoted strings. One that cannot be decoded (an unknown charset, bad UTF-8) stays
 * as written: a reader can still see it, and nothing is guessed.
 */
export function decodeParams (contentType: string): string {
  const parsed = splitParams(contentType)
  if (parsed == null || !parsed.params.some(([name]) => name.includes('*'))) return contentType
  const out: Array<[string, string]> = []
  const pieces = new Map<string, Array<{ index: number, encoded: boolean, value: string }>>()
  for (const [name, value] of parsed.params) {
    const continued = CONTINUED.exec(name)
    const base = continued?.[1] ?? name.replace(/\*$/, '')
    const encoded = continued != null ? continued[3] === '*' : name.endsWith('*')
    if (!name.includes('*')) {
      out.push([name, value])
      continue
    }
    if (!pieces.has(base)) {
      pieces.set(base, [])
      out.push([base, ''])
    }
    pieces.get(base)?.push({ index: continued == null ? 0 : Number(continued[2]), encoded, value: unquote(value) })
  }
  for (const entry of out) {
    const parts = pieces.get(entry[0])?.sort((a, b) => a.index - b.index)
    if (parts == null) continue
    const decoded = decodeValue(parts)
    if (decoded == null) return contentType
    entry[1] = `"${decoded.replace(/["\\]/g, c => `\\${c}`)}"`
  }
  return parsed.type + out.map(([name, value]) => `; ${name}=${value}`).join('')
}

/** The value of a wrapper's Content-Length, or undefined when there is none */
export function contentLength (headers: Record<string, string>): number | undefined {
  const text = headers['content-length']
  if (text == null) return undefined
  if (!/^\s*\d{1,10}\s*$/.test(text)) throw new InvalidCpimError(`Content-Length "${text.slice(0, 40)}" is not a number of bytes`)
  return Number(text)
}

/** One message/cpim text as a framed entity for a stream of messages */
export function frameCpim (cpim: string): string {
  return `Content-Type: message/cpim\r\nContent-Length: ${new TextEncoder().encode(cpim).byteLength}\r\n\r\n${cpim}\r\n`
}

/** A stream of framed messages (frameCpim) split back into the messages' bytes. Throws InvalidCpimError */
export function splitCpim (input: string | Uint8Array): Uint8Array[] {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input
  const messages: Uint8Array[] = []
  let pos = 0
  while (pos < bytes.length) {
    // the CRLF after each message, and any blank lines between
    if (bytes[pos] === 0x0d || bytes[pos] === 0x0a) {
      pos++
      continue
    }
    const headers: Record<string, string> = {}
    for (;;) {
      const lf = bytes.indexOf(0x0a, pos)
      if (lf < 0) throw new InvalidCpimError('A framed message ends inside its headers')
      const line = latin1.decode(bytes.subarray(pos, lf)).replace(/\r$/, '')
      pos = lf + 1
      if (line === '') break
      const colon = line.indexOf(':')
      if (colon <= 0) throw new InvalidCpimError(`Malformed frame header "${excerpt(line)}"`)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    if (!/^message\/cpim\s*(;.*)?$/i.test(headers['content-type'] ?? '')) throw new InvalidCpimError('A framed message is not Content-Type: message/cpim')
    const length = contentLength(headers)
    if (length == null) throw new InvalidCpimError('A framed message has no Content-Length')
    if (pos + length > bytes.length) throw new InvalidCpimError(`Content-Length ${length} runs past the end of the stream`)
    messages.push(bytes.slice(pos, pos + length))
    pos += length
  }
  return messages
}

/** RFC 2045 headers: names lower-cased, folded lines unfolded; a repeated name is an error */
export function mimeHeaders (lines: string[], malformed?: string): Record<string, string> {
  const headers = new Map<string, string>()
  const unfolded: string[] = []
  for (const line of lines) unfolded.push(/^[ \t]/.test(line) && unfolded.length > 0 ? `${unfolded.pop()}${line}` : line)
  for (const line of unfolded) {
    const match = /^([!-9;-~]+):[ \t]*/.exec(line)
    if (match == null || CTL.test(line)) throw new InvalidCpimError(malformed ?? `Malformed content header "${excerpt(line)}"`)
    const name = match[1].toLowerCase()
    if (headers.has(name)) throw new InvalidCpimError(`Content header ${match[1]} appears twice`)
    headers.set(name, line.slice(match[0].length))
  }
  return Object.fromEntries(headers)
}

/** The content with its Content-Transfer-Encoding (default 7bit) removed */
export function decodeTransfer (raw: Uint8Array, transferEncoding: string | undefined): Uint8Array {
  const encoding = (transferEncoding ?? '7bit').trim().toLowerCase()
  if (encoding === 'base64') return base64(raw)
  if (encoding === 'quoted-printable') return quotedPrintable(raw)
  if (['7bit', '8bit', 'binary'].includes(encoding)) return raw
  throw new InvalidCpimError(`Unknown Content-Transfer-Encoding "${excerpt(encoding)}"`)
}

/** Base64 content, whitespace ignored, strictly checked */
function base64 (raw: Uint8Array): Uint8Array {
  const text = latin1.decode(raw).replace(/[ \t\r\n]/g, '')
  try {
    if (BASE64.test(text)) return fromString(text, 'base64pad')
  } catch {
    // non-zero padding bits
  }
  throw new InvalidCpimError('Content is not valid base64')
}

/** RFC 2045 §6.7: `=XX` octets and `=` soft line breaks */
function quotedPrintable (raw: Uint8Array): Uint8Array {
  const text = latin1.decode(raw).replace(/=[ \t]*(?:\r?\n|$)/g, '')
  if (/=(?![0-9A-Fa-f]{2})|[^\t\n\r -~]/.test(text)) throw new InvalidCpimError('Content is not valid quoted-printable')
  return fromString(text.replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1')
}

function splitParams (contentType: string): { type: string, params: Array<[string, string]> } | undefined {
  const semicolon = contentType.indexOf(';')
  if (semicolon < 0) return undefined
  const params: Array<[string, string]> = []
  PARAM.lastIndex = semicolon
  let end = semicolon
  for (let m = PARAM.exec(contentType); m != null; m = PARAM.exec(contentType)) {
    params.push([m[1], m[2]])
    end = PARAM.lastIndex
  }
  // what we cannot read as parameters we leave alone
  return end === contentType.length ? { type: contentType.slice(0, semicolon).trimEnd(), params } : undefined
}

function unquote (value: string): string {
  return value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value
}

function decodeValue (parts: Array<{ encoded: boolean, value: string }>): string | undefined {
  let charset = 'us-ascii'
  const octets: number[] = []
  for (const [i, { encoded, value }] of parts.entries()) {
    let text = value
    if (i === 0 && encoded) {
      const m = /^([^']*)'[^']*'(.*)$/.exec(value)
      if (m == null) return undefined
      charset = m[1].toLowerCase() === '' ? 'us-ascii' : m[1].toLowerCase()
      text = m[2]
    }
    if (encoded && /%(?![0-9A-Fa-f]{2})/.test(text)) return undefined
    for (const piece of text.split(/(%[0-9A-Fa-f]{2})/)) {
      if (encoded && piece.startsWith('%')) octets.push(parseInt(piece.slice(1), 16))
      else octets.push(...new TextEncoder().encode(piece))
    }
  }
  const raw = Uint8Array.from(octets)
  try {
    if (charset === 'utf-8' || charset === 'utf8' || (charset === 'us-ascii' && raw.every(b => b < 0x80))) return utf8.decode(raw)
    if (charset === 'iso-8859-1' || charset === 'latin1') return latin1.decode(raw)
  } catch {
    // bad UTF-8
  }
  return undefined
}
