/**
 * The lexical grammar of message/cpim (RFC 3862) that its reader and writer share: the namespaces,
 * header names, the §2.3 backslash escapes (`\\`, `\t`, `\uXXXX`, …), addresses
 * (`[Formal-name] <URI>`) and RFC 3339 DateTime values.
 */
import { parseUri } from '../uri/index.js'
import { InvalidCpimError } from './errors.js'
import type { CpimAddress, FromCpimOptions } from './cpim.js'
import type { PeerId } from '@libp2p/interface'

/** The RFC 3862 headers: From, To, cc, DateTime, Subject, NS, Require */
export const CPIM_NAMESPACE = 'urn:ietf:params:cpim-headers:'
/** Ours: Message-ID, Reply-To, In-Reply-To */
export const PM_NAMESPACE = 'urn:presence-mesh:cpim'
/** The message's own extension headers */
export const EXT_NAMESPACE = 'urn:presence-mesh:cpim:ext'

/** How much of a bad input an error message quotes: enough to find it, never a whole hostile header */
const EXCERPT_CHARS = 80

export function excerpt (text: string): string {
  return text.slice(0, EXCERPT_CHARS)
}

/** A CPIM header name or prefix (RFC 3862 §3.1: a token) */
export const NAME = "[A-Za-z0-9!#$%&'*+^_`|~-]+"
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"]+$/
// eslint-disable-next-line no-control-regex
export const CTL = /[\x00-\x08\x0a-\x1f\x7f]/ // in header values these must be escaped; HT is tolerated
const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', r: '\r', '"': '"', "'": "'", '\\': '\\' }
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\b': '\\b' }
// fatal: bad UTF-8 is an error, not U+FFFD; ignoreBOM: a leading U+FEFF is content, not dropped
export const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Backslash, CTLs and unpaired surrogates (which UTF-8 cannot carry) as RFC 3862 escapes */
export function escape (value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\\\x00-\x1f\x7f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, c => ESCAPED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/ $/, '\\u0020')
}

/** RFC 3862 §2.3 escapes; a backslash that starts none stays as it is */
export function unescape (value: string): string {
  return value.replace(/\\(u[0-9A-Fa-f]{4}|[btnr"'\\])/g, (_, e: string) => e.length > 1 ? String.fromCharCode(parseInt(e.slice(1), 16)) : ESCAPES[e])
}

/** `[Formal-name] <URI>`: a quoted string or plain words (also `Name<URI>` without the space) */
export function address (value: string, options: FromCpimOptions): CpimAddress {
  const text = value.trim()
  const open = text.lastIndexOf('<')
  if (open < 0 || !text.endsWith('>')) throw new InvalidCpimError(`"${excerpt(text)}" is not an address ([Name] <URI>)`)
  const uri = text.slice(open + 1, -1)
  if (!URI.test(uri)) throw new InvalidCpimError(`"${excerpt(uri)}" in an address is not an absolute URI`)
  const before = text.slice(0, open).trim()
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(before)
  if (quoted == null && /[<>"]/.test(before)) throw new InvalidCpimError(`Malformed name in "${excerpt(text)}"`)
  const name = quoted != null ? unescape(quoted[1]) : before === '' ? undefined : before
  const scheme = uri.slice(0, uri.indexOf(':')).toLowerCase()
  if (options.schemes != null && !options.schemes.some(s => s.toLowerCase() === scheme)) {
    throw new InvalidCpimError(`Address <${excerpt(uri)}>: only ${options.schemes.join(', ')} URIs are accepted`)
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
export function dateTime (value: string): Date {
  const m = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(\.\d+)?(?:[Zz]|([+-])(\d\d):(\d\d))$/.exec(value)
  const [y, mo, d, h, mi, s, oh, om] = [1, 2, 3, 4, 5, 6, 9, 10].map(i => Number(m?.[i] ?? 0))
  const monthDays = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
  if (m == null || mo < 1 || mo > 12 || d < 1 || d > monthDays[mo - 1] || h > 23 || mi > 59 || s > 60 || oh > 23 || om > 59) {
    throw new InvalidCpimError(`DateTime "${excerpt(value)}" is not an RFC 3339 date-time`)
  }
  const date = new Date(0)
  // setUTCFullYear, as Date.UTC maps the years 0-99 to 1900-1999
  date.setUTCFullYear(y, mo - 1, d)
  date.setUTCHours(h, mi, s, Number((m[7] ?? '.0').slice(1, 4).padEnd(3, '0')))
  return new Date(date.getTime() - (m[8] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000)
}
