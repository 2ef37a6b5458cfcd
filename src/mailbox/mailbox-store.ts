/**
 * A relay's mailboxes: sealed boxes per recipient in the datastore, under
 * the limits kept by MailboxQuota (per box, per depositor, per relay) and
 * an expiry. The store never sees plaintext.
 *
 * A deposit costs one datastore write: the accounting is in memory, rebuilt
 * from the datastore at start. Boxes past their time are deleted when their
 * box is touched, when the relay would otherwise refuse for lack of room,
 * and by the service's periodic sweep.
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import { Key, type Datastore } from 'interface-datastore'
import { base32 } from 'multiformats/bases/base32'
import * as Digest from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { StoredBox as PBStoredBox } from './pb/mailbox.js'
import { MailboxQuota, type BoxMeta, type RefusalStatus } from './quota.js'
import { setAside } from '../utils/stored-values.js'
import type { MailboxLimits } from './index.js'
import type { Logger, PeerId } from '@libp2p/interface'

const PREFIX = '/presence-mesh/mailboxes'
/** Where versions before depositor accounting kept boxes: 8 bytes of float64 deposit time, then the box */
const OLD_PREFIX = '/presence-mesh/mailbox/'

export interface StoredBox {
  id: string
  box: Uint8Array
  depositedAt: number
}

export type DepositOutcome = { stored: true, expiresAt: number, contact: boolean } | { stored: false, status: RefusalStatus, reason: string }

export class MailboxStore {
  private readonly datastore: Datastore
  private readonly limits: MailboxLimits
  private readonly quota: MailboxQuota
  private readonly log: Logger

  constructor (datastore: Datastore, limits: MailboxLimits, log: Logger) {
    this.datastore = datastore
    this.limits = limits
    this.quota = new MailboxQuota(limits)
    this.log = log
  }

  /** Rebuild the accounting from the datastore (moving boxes kept by an older version), dropping what expired */
  async load (now = Date.now()): Promise<void> {
    for await (const { key, value } of this.datastore.query({ prefix: OLD_PREFIX })) {
      const [recipient, id] = key.toString().slice(OLD_PREFIX.length).split('/')
      if (value.byteLength > 8 && id != null) {
        const depositedAt = new DataView(value.buffer, value.byteOffset, 8).getFloat64(0)
        await this.datastore.put(this.key(recipient, id), PBStoredBox.encode({ depositedAt: BigInt(Math.floor(depositedAt)), depositor: new Uint8Array(0), contact: false, box: new Uint8Array(value.subarray(8)) }))
      }
      await this.datastore.delete(key)
    }
    for await (const { key, value } of this.datastore.query({ prefix: `${PREFIX}/` })) {
      const [recipient, id] = key.toString().slice(PREFIX.length + 1).split('/')
      let meta: BoxMeta
      try {
        const stored = PBStoredBox.decode(value)
        const depositor = stored.depositor.byteLength === 0 ? '' : peerIdFromMultihash(Digest.decode(stored.depositor)).toString()
        meta = { id, depositor, contact: stored.contact, bytes: stored.box.byteLength, depositedAt: Number(stored.depositedAt) }
      } catch (err) {
        // not counted, so it holds no room; moved aside (logged), as every unreadable stored value is
        await setAside(this.datastore, key, value, this.log, err)
        continue
      }
      if (meta.depositedAt + this.limits.ttlMs <= now) await this.datastore.delete(key)
      else this.quota.add(recipient, meta)
    }
  }

  async deposit (recipient: PeerId, depositor: PeerId, box: Uint8Array, contact: boolean, now = Date.now()): Promise<DepositOutcome> {
    const r = recipient.toString()
    const d = depositor.toString()
    const id = base32.encode((await sha256.digest(box)).digest)
    await this.expire(this.quota.expired(now - this.limits.ttlMs, r))
    for (let swept = false; ; swept = true) {
      // from the check to the reservation nothing awaits: concurrent deposits cannot both take the last room
      const held = this.quota.get(r, id)
      if (held != null) return { stored: true, expiresAt: held.depositedAt + this.limits.ttlMs, contact: held.contact }
      const refusal = this.quota.check(r, d, box.byteLength, contact)
      if (refusal == null) break
      // room taken by other boxes that expired but were not swept yet is room
      if (swept || (refusal.status !== 'relay-full' && refusal.status !== 'depositor-quota')) return { stored: false, ...refusal }
      await this.sweep(now)
    }
    const meta: BoxMeta = { id, depositor: d, contact, bytes: box.byteLength, depositedAt: now }
    this.quota.add(r, meta)
    try {
      await this.datastore.put(this.key(r, id), PBStoredBox.encode({ depositedAt: BigInt(now), depositor: depositor.toMultihash().bytes, contact, box: new Uint8Array(box) }))
    } catch (err) {
      this.quota.remove(r, id)
      throw err
    }
    return { stored: true, expiresAt: now + this.limits.ttlMs, contact }
  }

  /**
   * Up to `max` of the recipient's unexpired boxes, oldest first, of at most
   * `maxBytes` together (but at least one), and whether more wait
   */
  async list (recipient: PeerId, max: number, now = Date.now(), maxBytes = Infinity): Promise<{ items: StoredBox[], more: boolean }> {
    const r = recipient.toString()
    await this.expire(this.quota.expired(now - this.limits.ttlMs, r))
    const metas = this.quota.items(r)
    let count = 0
    let bytes = 0
    while (count < Math.min(max, metas.length) && (count === 0 || bytes + metas[count].bytes <= maxBytes)) bytes += metas[count++].bytes
    // the reads run together (LevelDB serves them from its thread pool), not one after another
    const values = await Promise.all(metas.slice(0, count).map(async meta => { try { return await this.datastore.get(this.key(r, meta.id)) } catch { return undefined } }))
    const items: StoredBox[] = []
    for (const [i, meta] of metas.slice(0, count).entries()) {
      // a deposit still being written is accounted but not readable yet: it comes with the next batch
      const value = values[i]
      if (value == null) continue
      try {
        items.push({ id: meta.id, box: PBStoredBox.decode(value).box, depositedAt: meta.depositedAt })
      } catch (err) {
        // corrupted since it was stored (a disk error): set aside and no longer counted, never a failed drain
        this.quota.remove(r, meta.id)
        await setAside(this.datastore, this.key(r, meta.id), value, this.log, err)
      }
    }
    return { items, more: metas.length > count }
  }

  async remove (recipient: PeerId, ids: string[]): Promise<void> {
    const r = recipient.toString()
    const batch = this.datastore.batch()
    for (const id of ids) {
      if (this.quota.remove(r, id) != null) batch.delete(this.key(r, id))
    }
    await batch.commit()
  }

  /** Delete every expired box of every recipient; resolves with how many */
  async sweep (now = Date.now()): Promise<number> {
    return this.expire(this.quota.expired(now - this.limits.ttlMs))
  }

  /** What the relay holds in all */
  usage (): { items: number, bytes: number } {
    return this.quota.usage()
  }

  private async expire (items: Array<{ recipient: string, meta: BoxMeta }>): Promise<number> {
    if (items.length === 0) return 0
    const batch = this.datastore.batch()
    for (const { recipient, meta } of items) {
      this.quota.remove(recipient, meta.id)
      batch.delete(this.key(recipient, meta.id))
    }
    await batch.commit()
    return items.length
  }

  private key (recipient: string, id: string): Key {
    return new Key(`${PREFIX}/${recipient}/${id}`)
  }
}
