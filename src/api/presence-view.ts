/**
 * How presence looks in the control API's JSON (and so in `pmesh … --json`).
 */
import { effectiveStatus, type PresenceRecord } from '../presence/record.js'
import { formatPresUri } from '../uri/index.js'
import type { Access } from '../presence/access/keyring.js'
import type { PeerId } from '@libp2p/interface'

export interface PresenceView {
  target: string
  peerId: string
  /** What to show now: an expired record is closed */
  basic: 'open' | 'closed'
  availability: string
  note: string | null
  lang: string | null
  contact: { emails: string[], phones: string[], postal: string | null, web: string | null }
  /** When the presentity issued this record (ISO 8601); null when nothing is known */
  updated: string | null
  expires: string | null
  /** Set when closed: when the presentity was last known to be there */
  lastSeen: string | null
  seq: string | null
  addresses: string[]
  /**
   * How we see it: public (its public view), granted (a view it granted us),
   * restricted (it shows strangers nothing; we hold no view), refused; null
   * for our own presence and when nothing is known
   */
  access: Access | null
}

/** `lostAt`: when the presentity was lost, if we saw its will arrive (Presence.lostAt): its "last seen" */
export function presenceView (target: PeerId, record: PresenceRecord | undefined, access: Access | null = null, now = Date.now(), lostAt?: number): PresenceView {
  const base = { target: formatPresUri(target), peerId: target.toString(), access: record == null ? null : access }
  if (record == null) {
    return { ...base, basic: 'closed', availability: 'unknown', note: null, lang: null, contact: { emails: [], phones: [], postal: null, web: null }, updated: null, expires: null, lastSeen: null, seq: null, addresses: [] }
  }
  const status = effectiveStatus(record, now)
  return {
    ...base,
    basic: status.basic,
    availability: status.basic === 'open' ? status.availability : record.availability,
    note: record.note?.text ?? null,
    lang: record.note?.lang ?? null,
    contact: { emails: record.contact.emails, phones: record.contact.phones, postal: record.contact.postal ?? null, web: record.contact.web ?? null },
    updated: new Date(record.issuedAt).toISOString(),
    expires: new Date(record.expiresAt).toISOString(),
    lastSeen: status.basic === 'closed' ? new Date(Math.max(status.lastSeen, lostAt ?? 0)).toISOString() : null,
    seq: record.seq.toString(),
    addresses: record.addresses.map(ma => ma.toString())
  }
}
