/**
 * The presence protocol's names on the wire: stream protocol ids and DHT
 * keys. See docs/PROTOCOL.md.
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { concat } from 'uint8arrays/concat'
import { equals } from 'uint8arrays/equals'
import { fromString } from 'uint8arrays/from-string'
import { MAX_RECORD_SIZE } from './constants.js'
import type { PeerId } from '@libp2p/interface'

/**
 * Watcher → presentity: subscribe, renew, cancel (CPIM subscribe/response).
 * 2.0.0: a registered watcher is sent every change over PUSH_PROTOCOL (1.0.0
 * watchers listened on gossip shards instead). 3.0.0: status 0 is
 * UNSPECIFIED, and an answer without a status is refused
 */
export const SUBSCRIBE_PROTOCOL = '/presence-mesh/presence/subscribe/3.0.0'

/** Presentity → watcher: a decision about its request or subscription (approved, cancelled, refused); 2.0.0: kind 0 is UNSPECIFIED and ignored */
export const NOTICE_PROTOCOL = '/presence-mesh/presence/notice/2.0.0'

/**
 * Presentity → the holders it chose: hand over the pre-signed "closed" record
 * to publish if it dies. 2.0.0: with the list of watchers to push it to
 */
export const WILL_PROTOCOL = '/presence-mesh/presence/will/2.0.0'

/** Presentity (or its will's holder, or its delegate) → watcher: one signed record, no answer */
export const PUSH_PROTOCOL = '/presence-mesh/presence/push/1.0.0'

/**
 * Largest message a remote sends on each protocol, which is what its handler
 * buffers at most. `SubscribeRequest`: a transaction id of at most 64
 * characters and a uint32 (72 bytes with tags and lengths).
 */
export const SUBSCRIBE_FRAME_LIMIT = 256
/** `SubscribeResponse`, read by the watcher: a record, a view key, a reason */
export const SUBSCRIBE_RESPONSE_FRAME_LIMIT = MAX_RECORD_SIZE + 8 * 1024
/** `Notice`: a kind, a transaction id of at most 64 characters and a short reason */
export const NOTICE_FRAME_LIMIT = 512
/**
 * Watchers a will names at most: the holder pushes the will to each. The
 * default watcher limit (init-defaults.ts); a presentity allowed more names the
 * most recent ones
 */
export const MAX_WILL_WATCHERS = 2_000
/**
 * `Will`: one signed record of at most MAX_RECORD_SIZE, two flags, and up to
 * MAX_WILL_WATCHERS peer ids (a multihash of at most 64 bytes plus tag and
 * length: Ed25519 ids take 40)
 */
export const WILL_FRAME_LIMIT = MAX_RECORD_SIZE + 16 + MAX_WILL_WATCHERS * 66
/** `Push`: one signed record of at most MAX_RECORD_SIZE */
export const PUSH_FRAME_LIMIT = MAX_RECORD_SIZE + 8

/**
 * Inbound streams at once on one connection (libp2p's maxInboundStreams):
 * a watcher renews one subscription per presentity, a presentity sends a
 * notice per decision, and a will per record change
 */
export const SUBSCRIBE_STREAMS_PER_CONNECTION = 8
export const NOTICE_STREAMS_PER_CONNECTION = 4
export const WILL_STREAMS_PER_CONNECTION = 4
/** A presentity pushes one record per change; a burst of changes overlaps a few */
export const PUSH_STREAMS_PER_CONNECTION = 8

/** First path segment of presence DHT keys: kad-dht picks our validator by it */
export const DHT_NAMESPACE = 'presence'
const KEY_PREFIX = fromString(`/${DHT_NAMESPACE}/`)

/** `/presence/<peer id multihash>`: where a presentity's signed record lives in the DHT */
export function presenceKey (peerId: PeerId): Uint8Array {
  return concat([KEY_PREFIX, peerId.toMultihash().bytes])
}

/** The presentity a DHT key is for; throws on anything else */
export function peerIdFromPresenceKey (key: Uint8Array): PeerId {
  if (!equals(key.subarray(0, KEY_PREFIX.length), KEY_PREFIX)) throw new Error('Not a presence key')
  return peerIdFromMultihash(Digest.decode(key.subarray(KEY_PREFIX.length)))
}

