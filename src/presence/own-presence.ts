/**
 * The node's own presence: the current record, its sequence numbers, and its
 * persistence. Every change is a new signed record with a higher sequence
 * number; the "wills" that go with it (closed records a few sequence numbers
 * higher, one per holder) let the holders we chose announce our death if we
 * vanish without a goodbye.
 *
 * Two forms are kept: our state as we know it, and the record published for
 * it — the same, or a placeholder with sealed views when access control
 * hides it (`present`, from src/presence/access/control.ts).
 */
import { Key, type Datastore } from 'interface-datastore'
import { marshalPresence, openPresence, sealPresence, unmarshalPresence, type PresenceContact, type PresenceExtension, type PresenceNote, type PresenceRecord, type Availability, type Basic } from './record.js'
import { GOODBYE_SLOT, SEQ_STEP } from './constants.js'
import { readOne, storedForm } from '../utils/stored-values.js'
import type { ComponentLogger, PeerId, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The signed record we published last */
const OWN_KEY = new Key('/presence-mesh/presence/own')
/** Our state behind it (unsigned), when access control published something else */
const STATE_KEY = new Key('/presence-mesh/presence/own-state')

/** What a user changes; fields left out keep their current value */
export interface PresenceUpdate {
  basic?: Basic
  availability?: Availability
  /** null removes the note */
  note?: PresenceNote | null
  contact?: PresenceContact
  extensions?: PresenceExtension[]
}

export interface SignedPresence {
  /** Our state */
  record: PresenceRecord
  /** The signed record published for it */
  bytes: Uint8Array
}

/** Our state → the record to sign and publish for it */
export type Presenter = (state: PresenceRecord) => Promise<PresenceRecord>

export interface OwnPresenceComponents {
  peerId: PeerId
  privateKey: PrivateKey
  datastore: Datastore
  logger: ComponentLogger
}

/** Our state as last set: a PresenceRecord message, as the wire's */
const STATE_FORM = storedForm<PresenceRecord, PresenceRecord>({
  codec: { encode: marshalPresence, decode: unmarshalPresence },
  check: state => state,
  toMessage: state => state
})

export class OwnPresence {
  private readonly components: OwnPresenceComponents
  private readonly ttl: number
  private readonly present: Presenter
  private current?: SignedPresence
  /** The closed record our wills for the current record are made of, and those signed so far by slot */
  private willBase?: PresenceRecord
  private readonly wills = new Map<number, Promise<Uint8Array>>()

  constructor (components: OwnPresenceComponents, ttl: number, present: Presenter) {
    this.components = components
    this.ttl = ttl
    this.present = present
  }

  /** The last record we signed, from before a restart too */
  async load (): Promise<SignedPresence | undefined> {
    if (this.current != null) return this.current
    if (!(await this.components.datastore.has(OWN_KEY))) return undefined
    const bytes = await this.components.datastore.get(OWN_KEY)
    const published = (await openPresence(bytes, { allowExpired: true })).record
    // an unreadable state is set aside: the signed record holds the same state, without what views hid
    const state = await readOne(this.components.datastore, STATE_KEY, STATE_FORM, this.components.logger.forComponent('presence-mesh:presence:own'))
    // a state older than the published record belongs to an interrupted write: the record wins
    this.current = { bytes, record: state?.seq === published.seq ? state : published }
    return this.current
  }

  get record (): PresenceRecord | undefined {
    return this.current?.record
  }

  get signed (): SignedPresence | undefined {
    return this.current
  }

  /**
   * Sign the next record: `update` applied to the current state. Sequence
   * numbers step by SEQ_STEP so that the numbers in between stay free for
   * the wills, and `floor` lets a newer sequence seen on the network (our own
   * will, published by a holder) push ours above it.
   */
  async next (update: PresenceUpdate, addresses: Multiaddr[], floor = -1n): Promise<SignedPresence> {
    const previous = (await this.load())?.record
    const now = Date.now()
    const base = previous?.seq ?? 0n
    const seq = (base > floor ? base : floor) + SEQ_STEP
    const note = update.note === null ? undefined : update.note ?? previous?.note
    const record: PresenceRecord = {
      presentity: this.components.peerId,
      basic: update.basic ?? previous?.basic ?? 'open',
      availability: update.availability ?? carriedAvailability(update.basic, previous?.availability),
      note,
      contact: update.contact ?? previous?.contact ?? { emails: [], phones: [] },
      addresses,
      seq,
      issuedAt: now,
      expiresAt: now + this.ttl,
      extensions: update.extensions ?? previous?.extensions ?? []
    }
    const bytes = await sealPresence(this.components.privateKey, await this.present(record))
    // one commit before the record leaves: a restart must never sign another record at this
    // seq, and the state and the signed bytes are then never out of step with each other
    const batch = this.components.datastore.batch()
    batch.put(STATE_KEY, marshalPresence(record))
    batch.put(OWN_KEY, bytes)
    await batch.commit()
    this.current = { record, bytes }
    // what watchers should see if this node dies holding `record`
    this.willBase = { ...record, basic: 'closed', addresses: [] }
    this.wills.clear()
    return this.current
  }

  /**
   * Our goodbye: the will of the highest slot, above `floor` — the newest
   * sequence number seen for us on the network, which a delegate's record
   * (current + SEQ_STEP) may hold beyond our will. Then a new record is
   * signed (and kept, so that the next start goes above it) to carry it.
   */
  async goodbye (floor: bigint, addresses: Multiaddr[]): Promise<{ seq: bigint, bytes: Uint8Array } | undefined> {
    const base = this.willBase
    if (base == null) return undefined
    if (base.seq + BigInt(GOODBYE_SLOT) <= floor) await this.next({}, addresses, floor)
    return this.will(GOODBYE_SLOT)
  }

  /**
   * The will of the current record in `slot` (1 … GOODBYE_SLOT): signed on
   * first use, as holders come and go. Undefined before the first record.
   */
  async will (slot: number): Promise<{ seq: bigint, bytes: Uint8Array } | undefined> {
    const base = this.willBase
    if (base == null || !Number.isInteger(slot) || slot < 1 || slot > GOODBYE_SLOT) return undefined
    const seq = base.seq + BigInt(slot)
    let signing = this.wills.get(slot)
    if (signing == null) {
      signing = this.present({ ...base, seq }).then(async shown => sealPresence(this.components.privateKey, shown))
      // a failure is not remembered: the next holder's deposit tries again
      signing.catch(() => { if (this.wills.get(slot) === signing) this.wills.delete(slot) })
      this.wills.set(slot, signing)
    }
    return { seq, bytes: await signing }
  }
}

/**
 * The availability a change that names none keeps: going offline drops
 * busy or dnd (issue 16: "offline" showed "busy"), and coming back from it
 * is "available" rather than "unknown"
 */
function carriedAvailability (basic: Basic | undefined, previous: Availability | undefined): Availability {
  if (basic === 'closed') return 'unknown'
  if (previous == null || (basic === 'open' && previous === 'unknown')) return 'available'
  return previous
}
