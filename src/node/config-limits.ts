/**
 * The limit sections of config.json (`"inbox": {…}`, `"mailbox": {…}`, …):
 * each key optional, each a number in its range. A key not given keeps the
 * default of the service it belongs to, documented in README's tables and in
 * docs/SECURITY.md.
 */
import { MAX_MAIL_TTL_MS } from '../mailbox/constants.js'
import { InvalidConfigError } from './errors.js'
import type { DhtRecordLimits } from './dht-records.js'
import type { StreamSettings } from './stream-limits.js'
import type { InboxLimitsInit, PartsBudgetInit } from '../messaging/index.js'
import { MAX_MAX_BODY_SIZE, MIN_MAX_BODY_SIZE } from '../messaging/constants.js'
import type { MailboxLimits } from '../mailbox/index.js'

/** What a relay (`relay: true`) grants the peers that reserve on it (circuit relay v2) */
export interface RelayLimits {
  /** Reservations held at once; a peer beyond is refused. Default: 128 */
  maxReservations: number
  /** How long a reservation lasts before its peer must renew it, in ms. Default: 2 hours */
  reservationTtlMs: number
  /** How long one relayed connection may stay up, in ms. Default: 30 minutes */
  durationMs: number
  /** Bytes one relayed connection may carry (both ways). Default: 16 MiB */
  dataBytes: number
}

/** What a node accepts of connections (libp2p's connection manager) */
export interface ConnectionLimits {
  /** Connections held at once. Default: 300 */
  maxConnections: number
  /** Inbound connections still in their handshake at once. Default: 64 */
  maxIncomingPending: number
  /** Of those, from one IP address (an IPv6 /64) at once. Default: 8 */
  maxIncomingPendingPerAddress: number
  /** New inbound connections per second from one IP address. Default: 20 */
  inboundPerAddressPerSecond: number
}

/** Message sizes and what is set aside for messages arriving in parts (src/messaging/parts.ts) */
export type MessagingLimits = PartsBudgetInit & { maxBodySize?: number }

export interface LimitSections {
  /** What strangers may put into the inbox (src/messaging/inbox-limits.ts) */
  inbox: InboxLimitsInit
  /** The body limit and the budgets of messages in parts */
  messaging: MessagingLimits
  /** What a relay's mailboxes keep (src/mailbox) */
  mailbox: Partial<MailboxLimits>
  /** What a DHT server stores for others (src/node/dht-records.ts) */
  dht: Partial<DhtRecordLimits>
  /** How many watchers a presentity keeps (src/presence/watchers.ts) */
  presence: { maxWatchers?: number }
  /** Inbound streams held at once (src/node/stream-limits.ts) */
  streams: Partial<StreamSettings>
  /** Circuit relay reservations and relayed connections (src/node/libp2p-options.ts) */
  relayLimits: Partial<RelayLimits>
  /** Connections held and accepted (src/node/libp2p-options.ts) */
  connections: Partial<ConnectionLimits>
}

interface Range {
  min: number
  max?: number
  /** A whole number, as opposed to a fraction or seconds */
  integer: boolean
}

const WHOLE: Range = { min: 1, integer: true }
const COUNT: Range = { min: 0, integer: true }

const SECTIONS: { [S in keyof LimitSections]: Record<keyof LimitSections[S], Range> } = {
  inbox: {
    strangerBurst: WHOLE,
    strangerRefillSeconds: { min: 0.001, integer: false },
    strangerMessages: COUNT,
    strangerBytes: COUNT,
    strangersTotalMessages: COUNT,
    strangersTotalBytes: COUNT
  },
  messaging: {
    maxBodySize: { min: MIN_MAX_BODY_SIZE, max: MAX_MAX_BODY_SIZE, integer: true },
    partsTotalBytes: WHOLE,
    partsPeerBytes: WHOLE,
    partsStrangersBytes: COUNT,
    // an honest sender's parts of a large message through a slow relay need a few seconds at least
    partsTimeoutMs: { min: 1_000, integer: true }
  },
  mailbox: {
    boxItems: WHOLE,
    boxBytes: WHOLE,
    // a depositor without a token needs some room; strangersShare 0 keeps the mailboxes for contacts
    senderShare: { min: 0.001, max: 1, integer: false },
    strangersShare: { min: 0, max: 1, integer: false },
    depositorItems: WHOLE,
    depositorBytes: WHOLE,
    totalItems: WHOLE,
    totalBytes: WHOLE,
    ttlMs: { min: 1_000, max: MAX_MAIL_TTL_MS, integer: true }
  },
  dht: {
    maxRecords: WHOLE
  },
  presence: {
    maxWatchers: WHOLE
  },
  // each stream may hold a frame of up to 97 KiB unreserved (larger ones draw on budgets): beyond 10,000 the bound bounds nothing
  streams: {
    maxPerPeer: { min: 1, max: 10_000, integer: true },
    maxPerProtocol: { min: 1, max: 10_000, integer: true },
    maxPerPeerTotal: { min: 1, max: 10_000, integer: true }
  },
  relayLimits: {
    maxReservations: WHOLE,
    // a reservation is renewed before it ends: under a minute the renewals are the traffic
    reservationTtlMs: { min: 60_000, integer: true },
    durationMs: { min: 1_000, integer: true },
    // a relayed connection must carry a handshake and some messages
    dataBytes: { min: 65_536, integer: true }
  },
  connections: {
    // a node needs a few connections to take part at all (relays, DHT neighbours)
    maxConnections: { min: 8, integer: true },
    maxIncomingPending: WHOLE,
    maxIncomingPendingPerAddress: WHOLE,
    inboundPerAddressPerSecond: WHOLE
  }
}

export const LIMIT_SECTION_NAMES = Object.keys(SECTIONS) as Array<keyof LimitSections>

export function isLimitSection (name: string): name is keyof LimitSections {
  return Object.hasOwn(SECTIONS, name)
}

/** Check one section; `what` names it in errors (`config.json: "mailbox"`) */
export function validateLimitSection<S extends keyof LimitSections> (section: S, value: unknown, what: string): LimitSections[S] {
  if (typeof value !== 'object' || value == null || Array.isArray(value)) throw new InvalidConfigError(`${what} must be an object`)
  const ranges: Record<string, Range> = SECTIONS[section]
  const limits: Record<string, number> = {}
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue
    const range = ranges[key]
    if (range == null) throw new InvalidConfigError(`${what}: unknown key "${key}" (known: ${Object.keys(ranges).join(', ')})`)
    const max = range.max ?? Number.MAX_SAFE_INTEGER
    if (typeof v !== 'number' || !Number.isFinite(v) || v < range.min || v > max || (range.integer && !Number.isInteger(v))) {
      const upTo = range.max == null ? `of at least ${range.min}` : `from ${range.min} to ${range.max}`
      throw new InvalidConfigError(`${what}: "${key}" must be ${range.integer ? 'a whole number' : 'a number'} ${upTo}`)
    }
    limits[key] = v
  }
  return limits as LimitSections[S]
}
