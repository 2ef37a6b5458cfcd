/**
 * Presence between the mesh and XMPP, as RFC 3922 maps CPIM to XMPP and
 * RFC 4480 (RPID) meets XMPP's <show/> (the same pairs RFC 7248 uses for
 * SIP–XMPP presence):
 *
 * | mesh (PIDF basic / RPID)       | XMPP                                  |
 * | ------------------------------ | ------------------------------------- |
 * | closed, expired, refused       | `<presence type="unavailable"/>`      |
 * | open, available or unknown     | `<presence/>` (no show)               |
 * | open, busy / do-not-disturb    | `<show>dnd</show>`                    |
 * | open, away                     | `<show>xa</show>` (extended away)     |
 * | open, idle                     | `<show>away</show>`                   |
 * | note (with its language)       | `<status xml:lang>`                   |
 *
 * and back: no show and `chat` are available, `away` is idle, `xa` is away,
 * `dnd` is busy. What the mesh user hides from the gateway (a restricted or
 * partial view) is absent from the record the gateway sees, so it is absent
 * here too.
 */
import { LANGUAGE_TAG } from '../utils/formats.js'
import type { Availability, Basic, PresenceNote, PresenceRecord } from '../presence/record.js'

/** What goes into an XMPP <presence/> */
export interface XmppPresence {
  /** Unavailable: type="unavailable" */
  available: boolean
  show?: 'away' | 'chat' | 'dnd' | 'xa'
  status?: string
  lang?: string
}

/** What an XMPP <presence/> says, in record terms */
export interface MeshPresence {
  basic: Basic
  availability: Availability
  note?: PresenceNote
}

const SHOW: Partial<Record<Availability, XmppPresence['show']>> = { busy: 'dnd', 'do-not-disturb': 'dnd', away: 'xa', idle: 'away' }
// a Map: a <show/> of "constructor" must not find Object.prototype's
const AVAILABILITY = new Map<string, Availability>([['chat', 'available'], ['away', 'idle'], ['xa', 'away'], ['dnd', 'busy']])
/** XMPP's status is free text; ours is bounded by the note limit */
const MAX_STATUS = 1024

/** A record as the gateway may see it (undefined: nothing known, or refused) → XMPP presence */
export function toXmppPresence (record: PresenceRecord | undefined, now = Date.now()): XmppPresence {
  if (record == null || record.basic === 'closed' || record.expiresAt <= now) {
    return { available: false, status: record?.note?.text, lang: record?.note?.lang }
  }
  return { available: true, show: SHOW[record.availability], status: record.note?.text, lang: record.note?.lang }
}

/**
 * An XMPP presence stanza's type, <show/> and <status/> → mesh presence.
 * Anything unknown in <show/> reads as available (RFC 6121 §4.7.2.1: a
 * client must treat an unknown value as if it were absent).
 */
export function fromXmppPresence (type: string | undefined, show: string | undefined, status: string | undefined, lang?: string): MeshPresence {
  // cut at a code point, never inside a surrogate pair
  const text = status == null ? undefined : Array.from(status.trim()).slice(0, MAX_STATUS).join('')
  const note = text == null || text === '' ? undefined : { text, lang: lang != null && LANGUAGE_TAG.test(lang) ? lang : undefined }
  if (type === 'unavailable') return { basic: 'closed', availability: 'unknown', note }
  return { basic: 'open', availability: AVAILABILITY.get(show?.trim() ?? '') ?? 'available', note }
}

/**
 * The mesh user's JID: the peer id, lower-cased, as the local part. Servers case-fold local parts
 * (RFC 7622 UsernameCaseMapped), so a base58 peer id cannot survive as written; the gateway maps
 * the folded form back through the list of users it serves.
 */
export function meshJid (peerId: string, domain: string): string {
  return `${peerId.toLowerCase()}@${domain.toLowerCase()}`
}

/** The bare JID, lower-cased where RFC 7622 makes case insignificant (local part and domain) */
export function bareJid (jid: string): string {
  const slash = jid.indexOf('/')
  return (slash < 0 ? jid : jid.slice(0, slash)).toLowerCase()
}
