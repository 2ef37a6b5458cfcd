/**
 * The rules a presence record must follow beyond what protobuf can express.
 * Writers and readers apply the same rules, and every valid record can be
 * exported as schema-valid PIDF (see pidf.ts), so a record never has to be
 * altered on the way: a signed statement is shown as signed or not at all.
 */
import { LANGUAGE_TAG } from '../utils/formats.js'
import { AVAILABILITIES, MAX_TIMESTAMP, MAX_VIEWS, VIEW_KEY_ID_BYTES, VIEW_NONCE_BYTES, NS_PIDF, NS_PRESENCE_MESH, NS_XML, NS_XMLNS } from './constants.js'
import { InvalidPresenceRecordError } from './errors.js'
import type { PresenceExtension, PresenceRecord } from './record.js'

/**
 * Characters XML 1.0 cannot carry at all, even escaped: C0 controls other
 * than tab, line feed and carriage return, U+FFFE, U+FFFF and unpaired
 * surrogates (which UTF-8 cannot encode either). Text containing them is
 * rejected rather than stripped, as stripping would change signed content.
 */
const XML_FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF\p{Cs}]/u // eslint-disable-line no-control-regex

/** xs:language, the type of xml:lang */

const EMAIL = /^[^\s@]+@[^\s@]+$/u
const PHONE = /^\+?[0-9 ()./-]+$/

// RFC 3986 building blocks. URIs are checked against RFC 3986 itself because
// PIDF carries them as xs:anyURI, which schema validators check that way.
const PCT = '%[0-9A-Fa-f]{2}'
const PCHAR = `(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@]|${PCT})`
const TAIL = `(?:\\?(?:${PCHAR}|[/?])*)?(?:#(?:${PCHAR}|[/?])*)?`
/** http(s) URL with a registered-name host (no userinfo, no IP literal) */
const WEB = new RegExp(`^https?://(?:[A-Za-z0-9\\-._~!$&'()*+,;=]|${PCT})+(?::[0-9]{1,5})?(?:/${PCHAR}*)*${TAIL}$`)
/** Any absolute URI, e.g. `urn:example:ns` or `https://example.com/ns` */
const ABSOLUTE_URI = new RegExp(`^[A-Za-z][A-Za-z0-9+.-]*:(?:${PCHAR}|/)+${TAIL}$`)

/** A subset of XML NCName, so the name can be an element name in PIDF */
const EXTENSION_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/

/** Is `tag` usable as xml:lang (xs:language syntax) */
export function isLanguageTag (tag: string): boolean {
  return LANGUAGE_TAG.test(tag)
}

export function isEmail (email: string): boolean {
  return EMAIL.test(email) && !XML_FORBIDDEN.test(email)
}

export function isPhone (phone: string): boolean {
  return PHONE.test(phone) && /[0-9]/.test(phone)
}

export function isWebUrl (url: string): boolean {
  return WEB.test(url)
}

/** Does the extension follow the rules; false for reserved namespaces too */
export function isValidExtension (extension: PresenceExtension): boolean {
  try {
    checkExtension(extension)
    return true
  } catch {
    return false
  }
}

/**
 * Throws InvalidPresenceRecordError naming the first rule the record breaks.
 */
export function validatePresence (record: PresenceRecord): void {
  if (record.basic !== 'open' && record.basic !== 'closed') {
    invalid(`basic must be open or closed, not ${String(record.basic)}`)
  }
  if (!(AVAILABILITIES as readonly string[]).includes(record.availability)) {
    invalid(`Unknown availability ${String(record.availability)}`)
  }

  if (record.note != null) {
    checkText(record.note.text, 'note')
    if (record.note.lang != null && !isLanguageTag(record.note.lang)) {
      invalid(`note language "${record.note.lang}" is not a language tag`)
    }
  }

  const { contact } = record
  for (const email of contact.emails) {
    if (!isEmail(email)) invalid(`"${email}" is not an e-mail address`)
  }
  for (const phone of contact.phones) {
    if (!isPhone(phone)) invalid(`"${phone}" is not a telephone number`)
  }
  if (contact.postal != null) {
    checkText(contact.postal, 'postal address')
    if (contact.postal === '') invalid('postal address is empty; leave it out instead')
  }
  if (contact.web != null && !isWebUrl(contact.web)) {
    invalid(`web page "${contact.web}" is not an http(s) URL`)
  }

  if (typeof record.seq !== 'bigint' || record.seq < 0n || record.seq >= 2n ** 64n) {
    invalid('seq must be a uint64')
  }
  checkTimestamp(record.issuedAt, 'issuedAt')
  checkTimestamp(record.expiresAt, 'expiresAt')
  if (record.expiresAt <= record.issuedAt) {
    invalid('expiresAt must be after issuedAt')
  }

  const seen = new Set<string>()
  for (const extension of record.extensions) {
    checkExtension(extension)
    // Space cannot occur in either part, so the key is unambiguous
    const key = `${extension.ns} ${extension.name}`
    if (seen.has(key)) invalid(`Extension ${key} appears twice`)
    seen.add(key)
  }

  const views = record.views ?? []
  if (views.length > MAX_VIEWS) invalid(`A record seals at most ${MAX_VIEWS} views`)
  const keyIds = new Set<string>()
  for (const view of views) {
    if (view.keyId.byteLength !== VIEW_KEY_ID_BYTES) invalid(`A view key id has ${VIEW_KEY_ID_BYTES} bytes`)
    if (view.nonce.byteLength !== VIEW_NONCE_BYTES) invalid(`A view nonce has ${VIEW_NONCE_BYTES} bytes`)
    // an authentication tag at least
    if (view.ciphertext.byteLength < 16) invalid('A sealed view is too short')
    const id = Array.from(view.keyId).join()
    if (keyIds.has(id)) invalid('Two views sealed under the same key id')
    keyIds.add(id)
  }
}

function checkExtension ({ ns, name, value }: PresenceExtension): void {
  if (!ABSOLUTE_URI.test(ns)) invalid(`Extension namespace "${ns}" is not an absolute URI`)
  // Elements in these namespaces have meanings and schemas of their own that
  // an opaque value would contradict, or are reserved by XML itself
  const lower = ns.toLowerCase()
  if (lower === NS_PIDF || lower.startsWith(`${NS_PIDF}:`) || ns === NS_PRESENCE_MESH || ns === NS_XML || ns === NS_XMLNS) {
    invalid(`Extension namespace ${ns} is reserved`)
  }
  if (!EXTENSION_NAME.test(name)) invalid(`Extension name "${name}" is not an XML name`)
  if (typeof value === 'string') {
    checkText(value, `extension ${name}`)
  } else if (!(value instanceof Uint8Array)) {
    invalid(`Extension ${name} value must be a string or bytes`)
  }
}

function checkText (text: string, what: string): void {
  if (typeof text !== 'string') invalid(`${what} must be a string`)
  if (XML_FORBIDDEN.test(text)) invalid(`${what} contains a character XML cannot carry`)
}

function checkTimestamp (ms: number, what: string): void {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_TIMESTAMP) {
    invalid(`${what} must be whole milliseconds between 1970 and 9999`)
  }
}

function invalid (message: string): never {
  throw new InvalidPresenceRecordError(message)
}
