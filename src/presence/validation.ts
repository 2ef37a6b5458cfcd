/**
 * The one place that judges presence data from the network. Every failure
 * maps to a verdict — accept, ignore (drop, sender not at fault) or reject
 * (drop and lower the sender's gossip score) — and every verdict is counted.
 */
import { RecordEnvelope } from '@libp2p/peer-record'
import { openPresence, unmarshalPresence, type PresenceRecord } from './record.js'
import { shardOf, shardOfTopic } from './protocol.js'
import type { PeerId } from '@libp2p/interface'
import { equals } from 'uint8arrays/equals'

export type Verdict = 'accept' | 'ignore' | 'reject'

export interface Judgement {
  verdict: Verdict
  reason: string
  record?: PresenceRecord
}

/** Newest record seen per presentity; bounded so strangers' records cannot grow it without limit */
const MAX_TRACKED_PRESENTITIES = 10_000

export class PresenceValidation {
  readonly counts: Record<Verdict, number> = { accept: 0, ignore: 0, reject: 0 }
  readonly reasons = new Map<string, number>()
  private readonly newest = new Map<string, { seq: bigint, bytes: Uint8Array }>()

  /** Judge a gossip message on a presence topic */
  async judgeGossip (topic: string, bytes: Uint8Array): Promise<Judgement> {
    const shard = shardOfTopic(topic)
    if (shard === undefined) return this.count({ verdict: 'ignore', reason: 'not-a-presence-topic' })
    let record: PresenceRecord
    try {
      record = (await openPresence(bytes)).record
    } catch (err: any) {
      // forged, tampered, expired, oversized or undecodable: an honest node never sends these
      return this.count({ verdict: 'reject', reason: err.name ?? 'invalid' })
    }
    if (shardOf(record.presentity) !== shard) {
      return this.count({ verdict: 'reject', reason: 'wrong-shard' })
    }
    return this.count(this.judgeSequence(record, bytes))
  }

  /**
   * A sequence number at or below the newest seen is a replay — unless it is
   * the very same record, which honest peers forward twice (two neighbours
   * publishing the same will).
   */
  private judgeSequence (record: PresenceRecord, bytes: Uint8Array): Judgement {
    const key = record.presentity.toString()
    const newest = this.newest.get(key)
    if (newest != null && record.seq <= newest.seq) {
      // empty bytes: the sequence number was restored from disk without its record
      if (record.seq === newest.seq && (newest.bytes.length === 0 || equals(bytes, newest.bytes))) {
        return { verdict: 'ignore', reason: 'duplicate' }
      }
      return { verdict: 'reject', reason: 'replayed-sequence' }
    }
    this.remember(record.presentity, record.seq, bytes)
    return { verdict: 'accept', reason: 'ok', record }
  }

  /** Record a sequence number learned elsewhere (DHT, subscribe response, persisted state) */
  remember (presentity: PeerId, seq: bigint, bytes: Uint8Array): void {
    const key = presentity.toString()
    const newest = this.newest.get(key)
    if (newest != null && newest.seq >= seq) return
    this.newest.delete(key)
    this.newest.set(key, { seq, bytes })
    if (this.newest.size > MAX_TRACKED_PRESENTITIES) {
      this.newest.delete(this.newest.keys().next().value as string)
    }
  }

  newestSeq (presentity: PeerId): bigint | undefined {
    return this.newest.get(presentity.toString())?.seq
  }

  /** Envelope bytes of the newest record seen for a presentity, if kept */
  newestBytes (presentity: PeerId): Uint8Array | undefined {
    const bytes = this.newest.get(presentity.toString())?.bytes
    return bytes != null && bytes.length > 0 ? bytes : undefined
  }

  private count (judgement: Judgement): Judgement {
    this.counts[judgement.verdict]++
    this.reasons.set(judgement.reason, (this.reasons.get(judgement.reason) ?? 0) + 1)
    return judgement
  }
}

/** The record inside envelope bytes that were already verified; undefined if unreadable */
export function readVerified (bytes: Uint8Array): PresenceRecord | undefined {
  try {
    return unmarshalPresence(RecordEnvelope.createFromProtobuf(bytes).payload)
  } catch {
    return undefined
  }
}
