/**
 * The presence protocol's names on the wire: stream protocol ids, gossip
 * topics, DHT keys and the provider records that let watchers and
 * presentities find each other's topics. See docs/PROTOCOL.md.
 */
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { concat } from 'uint8arrays/concat'
import { equals } from 'uint8arrays/equals'
import { fromString } from 'uint8arrays/from-string'
import { MAX_RECORD_SIZE } from './constants.js'
import type { PeerId } from '@libp2p/interface'

/** Watcher → presentity: subscribe, renew, cancel (CPIM subscribe/response) */
export const SUBSCRIBE_PROTOCOL = '/presence-mesh/presence/subscribe/1.0.0'

/** Presentity → watcher: a decision about its request or subscription (approved, cancelled, refused) */
export const NOTICE_PROTOCOL = '/presence-mesh/presence/notice/1.0.0'

/** Presentity → neighbour: hand over the pre-signed "closed" record to publish if it dies */
export const WILL_PROTOCOL = '/presence-mesh/presence/will/1.0.0'

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
/** `Will`: one signed record of at most MAX_RECORD_SIZE, and a flag */
export const WILL_FRAME_LIMIT = MAX_RECORD_SIZE + 16

/**
 * Inbound streams at once on one connection (libp2p's maxInboundStreams):
 * a watcher renews one subscription per presentity, a presentity sends a
 * notice per decision, and a will per record change
 */
export const SUBSCRIBE_STREAMS_PER_CONNECTION = 8
export const NOTICE_STREAMS_PER_CONNECTION = 4
export const WILL_STREAMS_PER_CONNECTION = 4

/**
 * Number of gossip topics presence is spread over. Each presentity publishes
 * into one shard; a watcher joins only the shards its contacts fall in and
 * filters locally. See "Gossip topic design" in docs/ARCHITECTURE.md.
 */
export const SHARD_COUNT = 32

const TOPIC_PREFIX = '/presence-mesh/presence/1/shard/'

/** First path segment of presence DHT keys: kad-dht picks our validator by it */
export const DHT_NAMESPACE = 'presence'
const KEY_PREFIX = fromString(`/${DHT_NAMESPACE}/`)

/**
 * A presentity's shard: the last byte of its peer id's multihash digest. For
 * Ed25519 ids that is a byte of the public key, uniformly distributed.
 */
export function shardOf (peerId: PeerId): number {
  const digest = peerId.toMultihash().digest
  return digest[digest.length - 1] % SHARD_COUNT
}

export function shardTopic (shard: number): string {
  return `${TOPIC_PREFIX}${shard}`
}

export function topicOf (peerId: PeerId): string {
  return shardTopic(shardOf(peerId))
}

/** The shard a topic names, or undefined when it is not a presence topic */
export function shardOfTopic (topic: string): number | undefined {
  if (!topic.startsWith(TOPIC_PREFIX)) return undefined
  const shard = Number(topic.slice(TOPIC_PREFIX.length))
  return Number.isInteger(shard) && shard >= 0 && shard < SHARD_COUNT && topic === shardTopic(shard) ? shard : undefined
}

export const ALL_TOPICS: readonly string[] = Array.from({ length: SHARD_COUNT }, (_, i) => shardTopic(i))

/** `/presence/<peer id multihash>`: where a presentity's signed record lives in the DHT */
export function presenceKey (peerId: PeerId): Uint8Array {
  return concat([KEY_PREFIX, peerId.toMultihash().bytes])
}

/** The presentity a DHT key is for; throws on anything else */
export function peerIdFromPresenceKey (key: Uint8Array): PeerId {
  if (!equals(key.subarray(0, KEY_PREFIX.length), KEY_PREFIX)) throw new Error('Not a presence key')
  return peerIdFromMultihash(Digest.decode(key.subarray(KEY_PREFIX.length)))
}

/**
 * Content id announced as a DHT provider record by every node in a shard's
 * gossip mesh, so that nodes joining the shard find peers already in it.
 */
export async function shardCid (shard: number): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(fromString(shardTopic(shard))))
}
