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
 * A DHT client closes a connection nothing used for 10 s: it knows what it
 * needs (its relays are kept alive), and a DHT server's connections from
 * clients then last about as long as their requests. Once there are 20
 * relays a relay takes about 3.3 puts a second whatever the network's size,
 * each holding a connection this long: ~35–45 at 10 s, 200–250 at 60 s beside
 * its ~100 clients, near its ceiling of 300 (design record 004).
 */
const CLIENT_IDLE_TIMEOUT = 10_000
/**
 * A DHT server (a relay, a seed) waits longer: its clients close what they do
 * not need, and this is for the others (a stranger, an older node). A client
 * that publishes no record leaves no will to keep it, and is dialled back by
 * its own keep-alive after each close: once per 2 minutes, not per 10 s.
 */
const SERVER_IDLE_TIMEOUT = 120_000
const DEFAULT_MAX_SUBSCRIPTION_DURATION = 30 * 24 * 60 * 60

/** `dhtServer`: whether the node serves the DHT (the idle timeout's default depends on it) */
export function withDefaults (init: PresenceInit, dhtServer: boolean): Required<PresenceInit> {
  return {
    recordTtl: init.recordTtl ?? DEFAULT_RECORD_TTL,
    willGrace: init.willGrace ?? DEFAULT_WILL_GRACE,
    maxGrantedDuration: init.maxGrantedDuration ?? DEFAULT_MAX_GRANTED_DURATION,
    maxWatchers: init.maxWatchers ?? DEFAULT_MAX_WATCHERS,
    maxSubscriptionDuration: init.maxSubscriptionDuration ?? DEFAULT_MAX_SUBSCRIPTION_DURATION,
    publishOnStart: init.publishOnStart ?? true,
    hangUp: init.hangUp ?? true,
    idleTimeout: init.idleTimeout ?? (dhtServer ? SERVER_IDLE_TIMEOUT : CLIENT_IDLE_TIMEOUT),
    willsToDialled: init.willsToDialled ?? true,
    willCheckInterval: init.willCheckInterval ?? DEFAULT_WILL_CHECK_INTERVAL,
    defaultPolicy: init.defaultPolicy ?? 'public'
  }
}
