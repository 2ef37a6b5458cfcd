/**
 * The one place that judges presence records pushed to us. Every failure
 * maps to a verdict — accept, ignore (drop, sender not at fault) or reject
 * (drop, abort the stream and count it against the sender) — and every
 * verdict is counted.
 *
 * Reject is for what no honest node ever sends: bytes that do not open
 * (signature, signer, encoding, size). A genuine record that is merely late —
 * expired, or older than one we already hold — or of a presentity we do not
 * watch is ignored: an honest sender delivers out of order (a will pushed
 * after its presentity came back) or from an old watcher list (a holder's),
 * and punishing it would cut honest peers off.
 */
import type { CounterGroup } from '@libp2p/interface'
import { createHash } from 'node:crypto'
import { DecodedParts } from './decoded-parts.js'
import { openPresence, readPresence, type PresenceRecord, type ReadPresence } from './record.js'
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
/**
 * Envelopes whose signature we already judged, by sha256 of their bytes:
 * the same record pushed again — the presentity and the holders of its will
 * pushing one goodbye, a replay flood — would reach our signature check
 * every time (≈ 130 µs each). The hash (node's sha256, ≈ 1 µs) finds the earlier judgement;
 * the cheap checks that depend on the moment (expiry, sequence) still run
 * for each copy.
 */
export const MAX_JUDGED = 4_096

/** What opening an envelope gave: the record, or why it did not open */
type Opened = { record: PresenceRecord } | { failure: string }

export class PresenceValidation {
  readonly counts: Record<Verdict, number> = { accept: 0, ignore: 0, reject: 0 }
  private readonly verdicts?: CounterGroup<Verdict>

  /** `verdicts`: the node's metric of pushes by verdict, when it has metrics */
  constructor (verdicts?: CounterGroup<Verdict>) {
    this.verdicts = verdicts
  }

  readonly reasons = new Map<string, number>()
  private readonly newest = new Map<string, { seq: bigint, bytes: Uint8Array }>()
  private readonly judged = new Map<string, Opened>()
  /** Peer ids and addresses of records this node accepted (decoded-parts.ts): its own */
  readonly decoded = new DecodedParts()
  /** Copies whose signature check the cache saved */
  cacheHits = 0

  /**
   * Judge a pushed record. `watched` says whether we want the presentity's
   * records: asked before the signature is checked, from the unverified
   * payload, so a stranger's record costs a decode and no more
   */
  async judge (bytes: Uint8Array, watched: (presentity: PeerId) => boolean): Promise<Judgement> {
    const read = readPresence(bytes, this.decoded)
    if (read != null && !watched(read.record.presentity)) return this.count({ verdict: 'ignore', reason: 'not-watched' })
    // the very bytes we hold as newest (a second holder's copy of a will, our own push echoed): judged when they came
    if (read != null && this.isNewest(read.record, bytes)) return this.count({ verdict: 'ignore', reason: 'duplicate' })
    const opened = await this.open(bytes, read)
    // forged, tampered, oversized or undecodable: an honest node never sends these
    if ('failure' in opened) return this.count({ verdict: 'reject', reason: opened.failure })
    const { record } = opened
    if (Date.now() >= record.expiresAt) return this.count({ verdict: 'ignore', reason: 'expired' })
    return this.count(this.judgeSequence(record, bytes))
  }

  /** Open envelope bytes (`read`: what reading them gave), or recall how the same bytes opened before */
  private async open (bytes: Uint8Array, read?: ReadPresence): Promise<Opened> {
    const hash = createHash('sha256').update(bytes).digest('base64')
    const known = this.judged.get(hash)
    if (known != null) {
      this.cacheHits++
      // least recently used first out
      this.judged.delete(hash)
      this.judged.set(hash, known)
      return known
    }
    let opened: Opened
    try {
      // expired records are opened too (signature and all) so that a forged one is still rejected
      opened = { record: (await openPresence(bytes, { allowExpired: true }, read)).record }
    } catch (err: any) {
      opened = { failure: typeof err?.name === 'string' ? err.name : 'invalid' }
    }
    this.judged.set(hash, opened)
    if (this.judged.size > MAX_JUDGED) this.judged.delete(this.judged.keys().next().value as string)
    return opened
  }

  /**
   * A sequence number at or below the newest seen is dropped: the same record
   * again (two neighbours publishing the same will), an older one (a replay,
   * or an honest push overtaken by a newer record), or another record with the
   * same number (only its signer can have made both). None of them is the
   * forwarder's fault, and none is shown.
   */
  private judgeSequence (record: PresenceRecord, bytes: Uint8Array): Judgement {
    const key = record.presentity.toString()
    const newest = this.newest.get(key)
    if (newest != null && record.seq <= newest.seq) {
      // empty bytes: the sequence number was restored from disk without its record
      if (record.seq === newest.seq && (newest.bytes.length === 0 || equals(bytes, newest.bytes))) {
        return { verdict: 'ignore', reason: 'duplicate' }
      }
      return { verdict: 'ignore', reason: record.seq === newest.seq ? 'conflicting-sequence' : 'stale-sequence' }
    }
    this.remember(record.presentity, record.seq, bytes)
    this.decoded.keep(record)
    return { verdict: 'accept', reason: 'ok', record }
  }

  /** Whether `bytes` are those of the newest record we hold for its presentity, unexpired */
  private isNewest (record: PresenceRecord, bytes: Uint8Array): boolean {
    const newest = this.newest.get(record.presentity.toString())
    return newest != null && newest.seq === record.seq && Date.now() < record.expiresAt && equals(bytes, newest.bytes)
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

  /** Count a push refused before it could be opened (too large, not a push at all) */
  rejected (reason: string): void {
    this.count({ verdict: 'reject', reason })
  }

  private count (judgement: Judgement): Judgement {
    this.counts[judgement.verdict]++
    this.verdicts?.increment({ [judgement.verdict]: true })
    this.reasons.set(judgement.reason, (this.reasons.get(judgement.reason) ?? 0) + 1)
    return judgement
  }
}

/** The record inside envelope bytes, unverified (verified already, or only to be looked at); undefined if unreadable */
export function readVerified (bytes: Uint8Array): PresenceRecord | undefined {
  return readPresence(bytes)?.record
}
