/**
 * What an option of PresenceInit left unset means (index.ts documents each).
 */
import type { PresenceInit } from './index.js'

const DEFAULT_RECORD_TTL = 60 * 60_000
const DEFAULT_WILL_GRACE = 2_000
/**
 * How often a presentity looks for its own will in the DHT, where a holder
 * may have put it without pushing it (no watcher echoes it to us then): one
 * DHT lookup per 10 minutes, the longest a live presentity looks closed to
 * fresh fetches that way
 */
const DEFAULT_WILL_CHECK_INTERVAL = 10 * 60_000
const DEFAULT_MAX_GRANTED_DURATION = 3600
/** RFC 2779 §2.2 asks for hundreds of subscribers per presentity; room for some thousands */
const DEFAULT_MAX_WATCHERS = 2_000
/**
 * A connection nothing used for a minute is closed: at most one ping round
 * (every 120 s on a desktop, 30 s on a relay) falls in an idle connection's
 * life, and a contact being typed to or a burst of lookups keeps theirs
 */
const DEFAULT_IDLE_TIMEOUT = 60_000
const DEFAULT_MAX_SUBSCRIPTION_DURATION = 30 * 24 * 60 * 60

export function withDefaults (init: PresenceInit): Required<PresenceInit> {
  return {
    recordTtl: init.recordTtl ?? DEFAULT_RECORD_TTL,
    willGrace: init.willGrace ?? DEFAULT_WILL_GRACE,
    maxGrantedDuration: init.maxGrantedDuration ?? DEFAULT_MAX_GRANTED_DURATION,
    maxWatchers: init.maxWatchers ?? DEFAULT_MAX_WATCHERS,
    maxSubscriptionDuration: init.maxSubscriptionDuration ?? DEFAULT_MAX_SUBSCRIPTION_DURATION,
    publishOnStart: init.publishOnStart ?? true,
    hangUp: init.hangUp ?? true,
    idleTimeout: init.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
    willsToDialled: init.willsToDialled ?? true,
    willCheckInterval: init.willCheckInterval ?? DEFAULT_WILL_CHECK_INTERVAL,
    defaultPolicy: init.defaultPolicy ?? 'public'
  }
}
