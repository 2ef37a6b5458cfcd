/**
 * PIDF (RFC 3863, application/pidf+xml) export and import, so presence can
 * be shown by or taken from SIP/SIMPLE and other PIDF-speaking systems.
 *
 * Mapping of a record to a document:
 * - `<presence entity="pres:<peerId>">` with one `<tuple id="t">` for our IM
 *   service: `<status><basic>`, `<contact>im:<peerId></contact>`, the note as
 *   `<note xml:lang>`, and issuedAt as `<timestamp>` (the last update time).
 * - Availability as RPID (RFC 4480) in the RFC 4479 data model: busy, away
 *   and unknown as `<rpid:activities>` in `<dm:person>`; do-not-disturb as
 *   activities busy plus our `<pm:do-not-disturb/>`, so plain RPID readers see
 *   busy; available and idle as `<rpid:user-input>active|idle` in the tuple.
 * - Contact information in `<dm:person>`: the web page as
 *   `<cipid:homepage>` (RFC 4482); e-mail, telephone and postal address, which
 *   no PIDF extension defines, as `<pm:email>`, `<pm:tel>`, `<pm:postal>`.
 * - Each extension as a presence-level element named `name` in namespace
 *   `ns`; bytes values in base64 with `pm:encoding="base64"`.
 * Seq, expiry and addresses stay out: they serve the mesh, not PIDF readers.
 */
import { DOMParser, normalizeLineEndings } from '@xmldom/xmldom'
import { peerIdFromString } from '@libp2p/peer-id'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { NS_CIPID, NS_DATA_MODEL, NS_PIDF, NS_PRESENCE_MESH, NS_RPID, NS_XML } from './constants.js'
import { InvalidPidfError } from './errors.js'
import { isEmail, isLanguageTag, isPhone, isValidExtension, isWebUrl, validatePresence } from './record-rules.js'
import type { Availability, Basic, PresenceContact, PresenceExtension, PresenceNote, PresenceRecord } from './record.js'
import type { PeerId } from '@libp2p/interface'
import type { Document, Element } from '@xmldom/xmldom'

/** What a PIDF document says, in record terms */
export interface PidfPresence {
  /** The document's entity URI */
  entity: string
  /** Set when the entity is a presence-mesh `pres:<peerId>` URI */
  presentity?: PeerId
  basic: Basic
  availability: Availability
  note?: PresenceNote
  contact: PresenceContact
  /** The newest tuple `<timestamp>`, in ms since the epoch */
  issuedAt?: number
  extensions: PresenceExtension[]
}

export interface FromPidfOptions {
  /** RPID activities whose `until` is before this time (or `from` after it) are ignored; default now */
  now?: number
}

export interface ToPidfOptions {
  /** When given, a record expired at this time is exported as closed */
  now?: number
}

const ELEMENT_NODE = 1

/** RPID activities we read as busy or away; others carry no availability */
const BUSY_ACTIVITIES = new Set(['busy', 'appointment', 'meeting', 'on-the-phone', 'performance', 'presentation'])
const AWAY_ACTIVITIES = new Set(['away', 'breakfast', 'dinner', 'holiday', 'in-transit', 'meal', 'permanent-absence', 'sleeping', 'travel', 'vacation'])

/**
 * Export a record as a PIDF document that validates against the RFC 3863,
 * 4479, 4480 and 4482 schemas. Throws InvalidPresenceRecordError for a record
 * that breaks the format's rules (which are what make that guarantee hold).
 */
export function toPidf (record: PresenceRecord, options: ToPidfOptions = {}): string {
  validatePresence(record)
  const expired = options.now != null && options.now >= record.expiresAt
  const basic = expired ? 'closed' : record.basic
  const availability = expired ? 'unknown' : record.availability
  const id = record.presentity.toString()
  const { note, contact } = record

  const tuple = [
    `<status><basic>${basic}</basic></status>`,
    availability === 'available' ? '<rpid:user-input>active</rpid:user-input>' : '',
    availability === 'idle' ? '<rpid:user-input>idle</rpid:user-input>' : '',
    `<contact>im:${id}</contact>`,
    note == null ? '' : `<note${note.lang == null ? '' : ` xml:lang="${escapeAttribute(note.lang)}"`}>${escapeText(note.text)}</note>`,
    `<timestamp>${new Date(record.issuedAt).toISOString()}</timestamp>`
  ]
  const person = [
    activitiesXml(availability),
    ...contact.emails.map(email => `<pm:email>${escapeText(email)}</pm:email>`),
    ...contact.phones.map(phone => `<pm:tel>${escapeText(phone)}</pm:tel>`),
    contact.postal == null ? '' : `<pm:postal>${escapeText(contact.postal)}</pm:postal>`,
    contact.web == null ? '' : `<cipid:homepage>${escapeText(contact.web)}</cipid:homepage>`
  ]
  const extensions = record.extensions.map(({ ns, name, value }) => typeof value === 'string'
    ? `<x:${name} xmlns:x="${escapeAttribute(ns)}">${escapeText(value)}</x:${name}>`
    : `<x:${name} xmlns:x="${escapeAttribute(ns)}" pm:encoding="base64">${uint8ArrayToString(value, 'base64pad')}</x:${name}>`)

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<presence xmlns="${NS_PIDF}" xmlns:dm="${NS_DATA_MODEL}" xmlns:rpid="${NS_RPID}" xmlns:cipid="${NS_CIPID}" xmlns:pm="${NS_PRESENCE_MESH}" entity="pres:${id}">`,
    `<tuple id="t">${tuple.join('')}</tuple>`,
    `<dm:person id="p">${person.join('')}</dm:person>`,
    ...extensions,
    '</presence>',
    ''
  ].join('\n')
}

/**
 * A PIDF document for a presentity outside the mesh (an XMPP user behind a
 * gateway): `entity` as given, one tuple with basic, availability and note as
 * toPidf writes them, and the time it was seen as the timestamp
 */
export function foreignPidf (entity: string, presence: { basic: Basic, availability: Availability, note?: PresenceNote }, at: number): string {
  const { basic, availability, note } = presence
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<presence xmlns="${NS_PIDF}" xmlns:dm="${NS_DATA_MODEL}" xmlns:rpid="${NS_RPID}" xmlns:pm="${NS_PRESENCE_MESH}" entity="${escapeAttribute(entity)}">`,
    `<tuple id="t"><status><basic>${basic}</basic></status>${availability === 'available' ? '<rpid:user-input>active</rpid:user-input>' : ''}${availability === 'idle' ? '<rpid:user-input>idle</rpid:user-input>' : ''}` +
      (note == null ? '' : `<note${note.lang == null ? '' : ` xml:lang="${escapeAttribute(note.lang)}"`}>${escapeText(note.text)}</note>`) +
      `<timestamp>${new Date(at).toISOString()}</timestamp></tuple>`,
    `<dm:person id="p">${activitiesXml(availability)}</dm:person>`,
    '</presence>',
    ''
  ].join('\n')
}

/**
 * Read a PIDF document, ours or anyone's. Throws InvalidPidfError for what is
 * not XML or not PIDF. Does not validate against the schema; what the record
 * format cannot hold (invalid language tags, unrecognised contact URIs,
 * structured extensions) is left out rather than rejected.
 */
export function fromPidf (xml: string, options: FromPidfOptions = {}): PidfPresence {
  const root = parseXml(xml).documentElement
  if (root == null || root.namespaceURI !== NS_PIDF || root.localName !== 'presence') {
    throw new InvalidPidfError('Root element is not {urn:ietf:params:xml:ns:pidf}presence')
  }
  const entity = root.getAttribute('entity')
  if (entity == null || entity === '') {
    throw new InvalidPidfError('<presence> has no entity')
  }

  const tuples = children(root, NS_PIDF, 'tuple')
  const persons = children(root, NS_DATA_MODEL, 'person')
  const notes = [...tuples.flatMap(tuple => children(tuple, NS_PIDF, 'note')), ...children(root, NS_PIDF, 'note')]
  const timestamps = tuples.flatMap(tuple => children(tuple, NS_PIDF, 'timestamp')).map(parseTimestamp)

  const contact: PresenceContact = { emails: [], phones: [] }
  for (const person of persons) {
    contact.emails.push(...texts(person, NS_PRESENCE_MESH, 'email').filter(isEmail))
    contact.phones.push(...texts(person, NS_PRESENCE_MESH, 'tel').filter(isPhone))
    contact.postal ??= texts(person, NS_PRESENCE_MESH, 'postal').find(postal => postal !== '')
    contact.web ??= texts(person, NS_CIPID, 'homepage').map(web => web.trim()).find(isWebUrl)
  }
  // Other systems put their addresses in the tuple's <contact> URI
  // (RFC 4480 §3.8: a tuple whose <relationship> is not "self" gives someone else's address)
  for (const uri of tuples.filter(isOwnTuple).flatMap(tuple => texts(tuple, NS_PIDF, 'contact'))) {
    const match = /^\s*(mailto|tel):(\S+)\s*$/i.exec(uri)
    if (match == null) continue
    const [, scheme, address] = match
    const mail = scheme.toLowerCase() === 'mailto'
    const list = mail ? contact.emails : contact.phones
    if ((mail ? isEmail(address) : isPhone(address)) && !list.includes(address)) list.push(address)
  }

  const lang = notes.length === 0 ? '' : languageOf(notes[0])
  return {
    entity,
    presentity: entity.startsWith('pres:') ? parsePeerId(entity.slice(5)) : undefined,
    basic: tuples.some(tuple => basicOf(tuple) === 'open') ? 'open' : 'closed',
    availability: availabilityOf(root, options.now ?? Date.now()),
    note: notes.length === 0 ? undefined : { text: notes[0].textContent ?? '', lang: isLanguageTag(lang) ? lang : undefined },
    contact,
    issuedAt: timestamps.length === 0 ? undefined : Math.max(...timestamps),
    extensions: extensionsOf(root)
  }
}

function activitiesXml (availability: Availability): string {
  switch (availability) {
    case 'busy': return '<rpid:activities><rpid:busy/></rpid:activities>'
    case 'away': return '<rpid:activities><rpid:away/></rpid:activities>'
    case 'do-not-disturb': return '<rpid:activities><rpid:busy/><pm:do-not-disturb/></rpid:activities>'
    case 'unknown': return '<rpid:activities><rpid:unknown/></rpid:activities>'
    default: return ''
  }
}

function availabilityOf (root: Element, now: number): Availability {
  const activities = Array.from(root.getElementsByTagNameNS(NS_RPID, 'activities'))
    .filter(element => isCurrent(element, now))
    .flatMap(element => children(element))
  const has = (ns: string, names: Set<string>): boolean =>
    activities.some(activity => activity.namespaceURI === ns && names.has(activity.localName ?? ''))

  if (has(NS_PRESENCE_MESH, new Set(['do-not-disturb']))) return 'do-not-disturb'
  if (has(NS_RPID, BUSY_ACTIVITIES)) return 'busy'
  if (has(NS_RPID, AWAY_ACTIVITIES)) return 'away'
  if (has(NS_RPID, new Set(['unknown']))) return 'unknown'

  const input = Array.from(root.getElementsByTagNameNS(NS_RPID, 'user-input')).map(element => element.textContent?.trim())
  if (input.includes('idle')) return 'idle'
  if (input.includes('active')) return 'available'
  return 'unknown'
}

/** RFC 4480 §2: `from` and `until` bound when an element holds; outside them it says nothing */
function isCurrent (element: Element, now: number): boolean {
  const bound = (name: string): number => {
    const text = element.getAttribute(name)?.trim() ?? ''
    return text === '' ? NaN : Date.parse(/(?:Z|[+-]\d\d:\d\d)$/.test(text) ? text : `${text}Z`)
  }
  const from = bound('from')
  const until = bound('until')
  return !(until <= now) && !(from > now)
}

/** A tuple without an RPID <relationship>, or with <self/>, is the presentity's own */
function isOwnTuple (tuple: Element): boolean {
  const relationships = children(tuple, NS_RPID, 'relationship').flatMap(element => children(element))
  return relationships.length === 0 || relationships.some(element => element.namespaceURI === NS_RPID && element.localName === 'self')
}

/** xml:lang holds for the element and all it contains, unless a descendant resets it (XML 1.0 §2.12) */
function languageOf (element: Element): string {
  for (let node: Element | null = element; node != null && node.nodeType === ELEMENT_NODE; node = node.parentNode as Element | null) {
    if (node.hasAttributeNS(NS_XML, 'lang')) return node.getAttributeNS(NS_XML, 'lang') ?? ''
  }
  return ''
}

function basicOf (tuple: Element): string | undefined {
  const status = children(tuple, NS_PIDF, 'status')[0]
  return status == null ? undefined : texts(status, NS_PIDF, 'basic')[0]?.trim()
}

/** Presence-level elements outside the namespaces we interpret, if simple */
function extensionsOf (root: Element): PresenceExtension[] {
  const extensions: PresenceExtension[] = []
  for (const element of children(root)) {
    // Structured content has no faithful string form: leave it out
    if (element.namespaceURI == null || children(element).length > 0) continue
    const text = element.textContent ?? ''
    const value = element.getAttributeNS(NS_PRESENCE_MESH, 'encoding') === 'base64' ? decodeBase64(text) : text
    const extension = { ns: element.namespaceURI, name: element.localName ?? '', value }
    const duplicate = extensions.some(({ ns, name }) => ns === extension.ns && name === extension.name)
    if (!duplicate && isValidExtension(extension)) extensions.push(extension)
  }
  return extensions
}

function parseXml (xml: string): Document {
  try {
    return new DOMParser({
      // xmldom's default applies XML 1.1 line-end rules (NEL, LS and PS become LF) to every
      // document; in XML 1.0 those are content, only CR LF and CR are line ends
      normalizeLineEndings: /^<\?xml\s+version\s*=\s*["']1\.1["']/.test(xml) ? normalizeLineEndings : xml10LineEnds,
      onError: (level, message) => {
        if (level !== 'warning') throw new InvalidPidfError(message)
      }
    }).parseFromString(xml, 'text/xml')
  } catch (err) {
    throw new InvalidPidfError(`Not well-formed XML: ${err instanceof Error ? err.message : String(err)}`)
  }
}

function xml10LineEnds (text: string): string {
  return text.replace(/\r\n?/g, '\n')
}

/** Child elements, optionally only those with the given namespace and name */
function children (parent: Element, ns?: string, localName?: string): Element[] {
  return Array.from(parent.childNodes).filter((node): node is Element =>
    node.nodeType === ELEMENT_NODE &&
    (ns == null || ((node as Element).namespaceURI === ns && (node as Element).localName === localName)))
}

function texts (parent: Element, ns: string, localName: string): string[] {
  return children(parent, ns, localName).map(element => element.textContent ?? '')
}

function parseTimestamp (element: Element): number {
  const text = (element.textContent ?? '').trim()
  // xs:dateTime without a zone is unspecified; read it as UTC, not local time
  const ms = Date.parse(/(?:Z|[+-]\d\d:\d\d)$/.test(text) ? text : `${text}Z`)
  if (Number.isNaN(ms)) {
    throw new InvalidPidfError(`<timestamp> "${text}" is not a date and time`)
  }
  return ms
}

function parsePeerId (id: string): PeerId | undefined {
  try {
    return peerIdFromString(id)
  } catch {
    return undefined
  }
}

function decodeBase64 (text: string): Uint8Array {
  try {
    return uint8ArrayFromString(text.replace(/\s/g, ''), 'base64pad')
  } catch {
    throw new InvalidPidfError('Extension value marked base64 is not base64')
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' }

/** Escape character data; a raw CR would reach the reader as LF */
function escapeText (text: string): string {
  return text.replace(/[&<>\r]/g, char => ENTITIES[char])
}

/** Escape an attribute value; raw tabs and line ends would reach the reader as spaces */
function escapeAttribute (text: string): string {
  return text.replace(/[&<>"\t\n\r]/g, char => ENTITIES[char])
}
