/**
 * Records that reach us — pushed by a peer, or a will we executed ourselves
 * — sent where they belong: a will echoed to its presentity, our own record
 * adopted (a delegate's change) or outbid (our will), anyone else's to the
 * subscriptions.
 */
import { readVerified, type PresenceValidation } from './push-verdicts.js'
import { DHT_PUT_TIMEOUT_MS, type Publisher } from './publisher.js'
import type { OwnPresence } from './own-presence.js'
import type { Pushes } from './push.js'
import type { PresenceRecord } from './record.js'
import type { Subscriptions } from './subscriptions.js'
import type { WillHolders } from './will-holders.js'
import type { Logger, PeerId } from '@libp2p/interface'

export interface ReceivedComponents {
  peerId: PeerId
}

/** The presence service's parts a received record goes to */
export interface ReceivedParts {
  own: OwnPresence
  validation: PresenceValidation
  pushes: Pushes
  publisher: Publisher
  holders: WillHolders
  subs: Subscriptions
  running: () => boolean
}

export class ReceivedRecords {
  private readonly components: ReceivedComponents
  private readonly parts: ReceivedParts
  private readonly log: Logger

  constructor (components: ReceivedComponents, parts: ReceivedParts, log: Logger) {
    this.components = components
    this.parts = parts
    this.log = log
  }

  /**
   * A record pushed to us. A "closed" of a presentity brought by someone else
   * is a will its holder pushed: we echo it to the presentity, so that a
   * live one learns of it and outbids it (will-holders.ts); a dead one costs
   * a refused dial.
   */
  onPushed (record: PresenceRecord, bytes: Uint8Array, from: PeerId): void {
    const self = this.components.peerId
    if (!record.presentity.equals(self) && !from.equals(record.presentity) && record.basic === 'closed' && this.parts.running()) {
      this.parts.pushes.send([record.presentity], bytes).catch(err => this.log('could not echo a will to %p - %e', record.presentity, err))
    }
    this.onRecord(record)
  }

  /** A record we pushed ourselves (a will we executed), taken as received if it is news to us */
  deliverLocally (bytes: Uint8Array): void {
    const { validation } = this.parts
    const record = readVerified(bytes)
    if (record == null || record.seq <= (validation.newestSeq(record.presentity) ?? -1n)) return
    validation.remember(record.presentity, record.seq, bytes)
    this.onRecord(record)
  }

  private onRecord (record: PresenceRecord): void {
    const { running } = this.parts
    if (record.presentity.equals(this.components.peerId)) {
      // a delegate (our other device) changed our presence: take it as ours, signed by us with a will to match
      if (running() && record.delegation != null && record.seq > (this.parts.own.record?.seq ?? -1n)) {
        const { basic, availability, note, contact, extensions } = record
        this.parts.publisher.publish({ basic, availability, note: note ?? null, contact, extensions }, {}, DHT_PUT_TIMEOUT_MS, record.seq)
          .catch(err => this.log.error('adopting a delegate\'s change failed - %e', err))
        return
      }
      // a holder pushed our will though we are alive (a watcher echoed it): outbid it (once, rate-bounded) and judge the holder
      if (running()) this.parts.holders.seen(record)
      return
    }
    this.parts.subs.onRecord(record)
  }
}
