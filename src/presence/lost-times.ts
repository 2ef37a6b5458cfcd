/**
 * When each presentity we watch was lost. A will (or goodbye) is signed at
 * the presentity's last change and published by a holder when the node is
 * lost (or sent as it stops), so the record's own time is that last change,
 * not the loss. Seen live after the presentity was open, its arrival is the
 * time of the loss: "last seen" in fetch, watch and the API shows that.
 * Kept in memory for the presentities notifies are about (our
 * subscriptions); the contact list keeps its own across restarts.
 */
import { SEQ_STEP } from './constants.js'
import { effectiveStatus, type PresenceRecord } from './record.js'
import type { PeerId } from '@libp2p/interface'

export class LostTimes {
  /** Presentities last seen open */
  private readonly open = new Set<string>()
  private readonly lost = new Map<string, number>()

  /** A notify's record, as it arrives */
  observe (target: PeerId, record: PresenceRecord | undefined, now = Date.now()): void {
    if (record == null) return
    const key = target.toString()
    if (effectiveStatus(record, now).basic === 'open') {
      this.open.add(key)
      this.lost.delete(key)
      return
    }
    // only a will or goodbye (their numbers sit between a presentity's own) marks a loss
    if (record.seq % SEQ_STEP !== 0n && this.open.has(key)) this.lost.set(key, now)
    this.open.delete(key)
  }

  /** When `target` was lost, if a will of it arrived while we watched it open */
  get (target: PeerId): number | undefined {
    return this.lost.get(target.toString())
  }
}
