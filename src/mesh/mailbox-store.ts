/**
 * A relay's mailboxes: sealed boxes per recipient in the datastore, with a
 * quota per recipient and an expiry. The store never sees plaintext.
 */
import { sha256 } from 'multiformats/hashes/sha2'
import { base32 } from 'multiformats/bases/base32'
import { Key, type Datastore } from 'interface-datastore'
import type { PeerId } from '@libp2p/interface'

const PREFIX = '/presence-mesh/mailbox'

export interface MailboxLimits {
  quotaItems: number
  quotaBytes: number
  ttl: number
}

export interface StoredBox {
  id: string
  box: Uint8Array
  depositedAt: number
}

export type DepositOutcome = { stored: true, expiresAt: number } | { stored: false, reason: 'quota', detail: string }

export class MailboxStore {
  private readonly datastore: Datastore
  private readonly limits: MailboxLimits

  constructor (datastore: Datastore, limits: MailboxLimits) {
    this.datastore = datastore
    this.limits = limits
  }

  async deposit (recipient: PeerId, box: Uint8Array, now = Date.now()): Promise<DepositOutcome> {
    const id = base32.encode((await sha256.digest(box)).digest)
    const items = await this.list(recipient, now)
    if (items.some(item => item.id === id)) return { stored: true, expiresAt: now + this.limits.ttl }
    const bytes = items.reduce((sum, item) => sum + item.box.byteLength, 0)
    if (items.length + 1 > this.limits.quotaItems || bytes + box.byteLength > this.limits.quotaBytes) {
      return { stored: false, reason: 'quota', detail: `mailbox of ${recipient.toString()} is full (${items.length} items, ${bytes} bytes)` }
    }
    const value = new Uint8Array(8 + box.byteLength)
    new DataView(value.buffer).setFloat64(0, now)
    value.set(box, 8)
    await this.datastore.put(this.key(recipient, id), value)
    return { stored: true, expiresAt: now + this.limits.ttl }
  }

  /** The recipient's unexpired boxes, oldest first; expired ones are deleted on the way */
  async list (recipient: PeerId, now = Date.now()): Promise<StoredBox[]> {
    const items: StoredBox[] = []
    for await (const { key, value } of this.datastore.query({ prefix: `${PREFIX}/${recipient.toString()}` })) {
      const depositedAt = new DataView(value.buffer, value.byteOffset, 8).getFloat64(0)
      if (depositedAt + this.limits.ttl <= now) {
        await this.datastore.delete(key)
        continue
      }
      items.push({ id: key.baseNamespace(), box: value.subarray(8), depositedAt })
    }
    return items.sort((a, b) => a.depositedAt - b.depositedAt)
  }

  async remove (recipient: PeerId, ids: string[]): Promise<void> {
    const batch = this.datastore.batch()
    for (const id of ids) batch.delete(this.key(recipient, id))
    await batch.commit()
  }

  /** Delete every expired box of every recipient */
  async sweep (now = Date.now()): Promise<number> {
    let removed = 0
    for await (const { key, value } of this.datastore.query({ prefix: PREFIX })) {
      if (new DataView(value.buffer, value.byteOffset, 8).getFloat64(0) + this.limits.ttl <= now) {
        await this.datastore.delete(key)
        removed++
      }
    }
    return removed
  }

  private key (recipient: PeerId, id: string): Key {
    return new Key(`${PREFIX}/${recipient.toString()}/${id}`)
  }
}
