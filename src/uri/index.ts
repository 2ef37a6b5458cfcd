/**
 * `pres:` (RFC 3859) and `im:` (RFC 3860) URIs.
 *
 * The RFCs define `URI = scheme ":" [ to ] [ "?" header *( "&" header ) ]`
 * where `to` is an RFC 2822 mailbox. A presence-mesh user is one libp2p
 * identity, and its peer id is already globally unique and self-certifying,
 * so our own addresses are `pres:<peerId>` and `im:<peerId>`: the `to` part is
 * a bare peer id with no `@domain`. The parser accepts both shapes — a
 * foreign mailbox such as `pres:fred@example.com` is a valid URI, it simply
 * names no peer (`peerId` is undefined) — so gateways and PIDF documents from
 * other systems can be read without loss.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { InvalidUriError } from './errors.js'
import type { PeerId } from '@libp2p/interface'

export { InvalidUriError }

export type UriScheme = 'pres' | 'im'

export interface ParsedUri {
  scheme: UriScheme
  /** The `to` part as written (percent-decoded), empty when absent */
  to: string
  /** Set when `to` is a presence-mesh peer id */
  peerId?: PeerId
  /** `?name=value&…` headers, percent-decoded, in order */
  headers: Array<[string, string]>
}

// RFC 2822 atext, used for the dot-atom local part and domain of a mailbox
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
const DOT_ATOM = `${ATEXT}+(?:\\.${ATEXT}+)*`
const MAILBOX = new RegExp(`^${DOT_ATOM}@${DOT_ATOM}$`)
// RFC 2396 uric: reserved / unreserved / escaped
const URIC = /^(?:[A-Za-z0-9;/?:@&=+$,\-_.!~*'()]|%[0-9A-Fa-f]{2})*$/
/** Longest URI we parse: far beyond any pres:/im: URI with headers, short enough to reject junk at once */
const MAX_URI_LENGTH = 2048
// base58btc (Ed25519/secp256k1 identity multihashes) or base32 CIDv1 peer ids
const PEER_ID_SHAPE = /^(?:[1-9A-HJ-NP-Za-km-z]{40,60}|b[a-z2-7]{50,70})$/

function decode (part: string, what: string, uri: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    throw new InvalidUriError(`Invalid percent-encoding in the ${what} of "${uri}"`)
  }
}

/**
 * Parse a `pres:` or `im:` URI. Throws `InvalidUriError` naming what is wrong.
 */
export function parseUri (uri: string): ParsedUri {
  if (typeof uri !== 'string' || uri.length === 0) {
    throw new InvalidUriError('Expected a pres: or im: URI, got an empty value')
  }
  if (uri.length > MAX_URI_LENGTH) {
    throw new InvalidUriError(`URI is longer than ${MAX_URI_LENGTH} characters`)
  }
  const colon = uri.indexOf(':')
  const scheme = uri.slice(0, colon).toLowerCase()
  if (colon < 0 || (scheme !== 'pres' && scheme !== 'im')) {
    throw new InvalidUriError(`"${uri}" is not a pres: or im: URI`)
  }
  const rest = uri.slice(colon + 1)
  const query = rest.indexOf('?')
  const rawTo = query < 0 ? rest : rest.slice(0, query)
  const rawHeaders = query < 0 ? undefined : rest.slice(query + 1)

  if (!URIC.test(rawTo)) {
    throw new InvalidUriError(`"${uri}" contains characters not allowed in a URI`)
  }
  const to = decode(rawTo, 'address', uri)
  let peerId: PeerId | undefined
  if (to.includes('@')) {
    if (!MAILBOX.test(to)) {
      throw new InvalidUriError(`"${to}" in "${uri}" is not a mailbox (local-part@domain)`)
    }
  } else if (to !== '') {
    peerId = parsePeerId(to, uri)
  }

  const headers: Array<[string, string]> = []
  if (rawHeaders !== undefined) {
    for (const header of rawHeaders.split('&')) {
      const eq = header.indexOf('=')
      if (eq < 1 || !URIC.test(header)) {
        throw new InvalidUriError(`Malformed header "${header}" in "${uri}" (expected name=value)`)
      }
      headers.push([decode(header.slice(0, eq), 'header name', uri), decode(header.slice(eq + 1), 'header value', uri)])
    }
  }
  return { scheme, to, peerId, headers }
}

function parsePeerId (text: string, uri: string): PeerId {
  if (!PEER_ID_SHAPE.test(text)) {
    throw new InvalidUriError(`"${text}" in "${uri}" is neither a peer id nor a mailbox (local-part@domain)`)
  }
  try {
    return peerIdFromString(text)
  } catch (err) {
    throw new InvalidUriError(`"${text}" in "${uri}" is not a valid peer id: ${(err as Error).message}`)
  }
}

/** `pres:<peerId>` */
export function formatPresUri (peerId: PeerId): string {
  return `pres:${peerId.toString()}`
}

/** `im:<peerId>` */
export function formatImUri (peerId: PeerId): string {
  return `im:${peerId.toString()}`
}

/**
 * Resolve what a user typed — a `pres:`/`im:` URI or a bare peer id — to the
 * peer it names. Throws `InvalidUriError` when it names no presence-mesh peer.
 */
export function peerIdFromUri (input: string): PeerId {
  const text = input.trim()
  if (!text.includes(':')) {
    return parsePeerId(text, text)
  }
  const parsed = parseUri(text)
  if (parsed.peerId == null) {
    throw new InvalidUriError(parsed.to === ''
      ? `"${text}" names nobody (no address after "${parsed.scheme}:")`
      : `"${text}" is a mailbox address from another system, not a presence-mesh peer id`)
  }
  return parsed.peerId
}
