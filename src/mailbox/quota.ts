/**
 * A relay's mailbox accounting, in memory: what each box, each depositor
 * and the whole relay hold, so that a deposit is checked without reading
 * the datastore. Rebuilt from the datastore at start (mailbox-store.ts).
 *
 * Deposits with a valid token (contacts') count against the box, the
 * depositor and the relay; deposits without one (strangers') also against
 * the strangers' part of the box and of the relay, and against the
 * depositor's share of the box, so strangers cannot crowd contacts out.
 */
import type { MailboxLimits } from './index.js'

export interface BoxMeta {
  id: string
  /** Peer id string of the depositor ('' when unknown) */
  depositor: string
  /** Deposited with a valid token */
  contact: boolean
  bytes: number
  depositedAt: number
}

export type RefusalStatus = 'box-full' | 'share-used' | 'depositor-quota' | 'relay-full'

export interface Refusal {
  status: RefusalStatus
  /** For people: what is full, with the figures */
  reason: string
}

interface Usage { items: number, bytes: number }

class Box {
  readonly items = new Map<string, BoxMeta>()
  /**
   * No item is older (a lower bound, exact after each scan): a box of
   * thousands is not scanned on every deposit and drain to find nothing expired
   */
  oldest = Infinity
  readonly all: Usage = { items: 0, bytes: 0 }
  readonly strangers: Usage = { items: 0, bytes: 0 }
  readonly byDepositor = new Map<string, Usage>()
}

function change (usage: Usage, meta: BoxMeta, sign: 1 | -1): void {
  usage.items += sign
  usage.bytes += sign * meta.bytes
}

function fits (usage: Usage | undefined, bytes: number, maxItems: number, maxBytes: number): boolean {
  return (usage?.items ?? 0) + 1 <= maxItems && (usage?.bytes ?? 0) + bytes <= maxBytes
}

export class MailboxQuota {
  private readonly limits: MailboxLimits
  private readonly boxes = new Map<string, Box>()
  private readonly depositors = new Map<string, Usage>()
  private readonly total: Usage = { items: 0, bytes: 0 }
  private readonly strangers: Usage = { items: 0, bytes: 0 }

  constructor (limits: MailboxLimits) {
    this.limits = limits
  }

  get (recipient: string, id: string): BoxMeta | undefined {
    return this.boxes.get(recipient)?.items.get(id)
  }

  /** The recipient's items, oldest first */
  items (recipient: string): BoxMeta[] {
    return [...this.boxes.get(recipient)?.items.values() ?? []].sort((a, b) => a.depositedAt - b.depositedAt)
  }

  /** What the relay holds in all */
  usage (): Readonly<Usage> {
    return { ...this.total }
  }

  /** Why a deposit of `bytes` may not be stored, or undefined when it fits: a full box first, then the depositor's own limits, then the strangers' part and the relay */
  check (recipient: string, depositor: string, bytes: number, contact: boolean): Refusal | undefined {
    const l = this.limits
    const box = this.boxes.get(recipient)
    if (!fits(box?.all, bytes, l.boxItems, l.boxBytes)) {
      return { status: 'box-full', reason: `the recipient's mailbox is full (${box?.all.items ?? 0} messages, ${box?.all.bytes ?? 0} bytes)` }
    }
    if (!contact) {
      const items = Math.max(1, Math.floor(l.boxItems * l.senderShare))
      const share = Math.floor(l.boxBytes * l.senderShare)
      const used = box?.byDepositor.get(depositor)
      if (!fits(used, bytes, items, share)) {
        return { status: 'share-used', reason: `your share of this mailbox is used (${used?.items ?? 0} of ${items} messages, ${used?.bytes ?? 0} of ${share} bytes)` }
      }
    }
    const mine = this.depositors.get(depositor)
    if (!fits(mine, bytes, l.depositorItems, l.depositorBytes)) {
      return { status: 'depositor-quota', reason: `your quota on this relay is used (${mine?.items ?? 0} of ${l.depositorItems} messages, ${mine?.bytes ?? 0} of ${l.depositorBytes} bytes waiting)` }
    }
    if (!contact && !fits(box?.strangers, bytes, Math.floor(l.boxItems * l.strangersShare), Math.floor(l.boxBytes * l.strangersShare))) {
      return { status: 'box-full', reason: 'the part of the recipient\'s mailbox open to senders without its contact token is full' }
    }
    if (!fits(this.total, bytes, l.totalItems, l.totalBytes)) {
      return { status: 'relay-full', reason: `this relay's mailbox storage is full (${this.total.items} messages, ${this.total.bytes} bytes)` }
    }
    if (!contact && !fits(this.strangers, bytes, Math.floor(l.totalItems * l.strangersShare), Math.floor(l.totalBytes * l.strangersShare))) {
      return { status: 'relay-full', reason: 'the part of this relay\'s mailbox storage open to senders without a contact token is full' }
    }
    return undefined
  }

  add (recipient: string, meta: BoxMeta): void {
    let box = this.boxes.get(recipient)
    if (box == null) this.boxes.set(recipient, box = new Box())
    if (box.items.has(meta.id)) return
    box.items.set(meta.id, meta)
    box.oldest = Math.min(box.oldest, meta.depositedAt)
    this.count(box, meta, 1)
  }

  remove (recipient: string, id: string): BoxMeta | undefined {
    const box = this.boxes.get(recipient)
    const meta = box?.items.get(id)
    if (box == null || meta == null) return undefined
    box.items.delete(id)
    this.count(box, meta, -1)
    if (box.items.size === 0) this.boxes.delete(recipient)
    return meta
  }

  /** Items deposited before `before`: of one recipient, or of all */
  expired (before: number, recipient?: string): Array<{ recipient: string, meta: BoxMeta }> {
    const found: Array<{ recipient: string, meta: BoxMeta }> = []
    const boxes = recipient == null ? this.boxes.entries() : [[recipient, this.boxes.get(recipient)] as const]
    for (const [r, box] of boxes) {
      if (box == null || box.oldest > before) continue
      let oldest = Infinity
      for (const meta of box.items.values()) {
        if (meta.depositedAt <= before) found.push({ recipient: r, meta })
        else oldest = Math.min(oldest, meta.depositedAt)
      }
      // what is found is removed by the caller; what stays is no older than this
      box.oldest = oldest
    }
    return found
  }

  private count (box: Box, meta: BoxMeta, sign: 1 | -1): void {
    change(box.all, meta, sign)
    change(this.total, meta, sign)
    let depositor = this.depositors.get(meta.depositor)
    if (depositor == null) this.depositors.set(meta.depositor, depositor = { items: 0, bytes: 0 })
    change(depositor, meta, sign)
    if (depositor.items === 0) this.depositors.delete(meta.depositor)
    if (meta.contact) return
    change(box.strangers, meta, sign)
    change(this.strangers, meta, sign)
    let share = box.byDepositor.get(meta.depositor)
    if (share == null) box.byDepositor.set(meta.depositor, share = { items: 0, bytes: 0 })
    change(share, meta, sign)
    if (share.items === 0) box.byDepositor.delete(meta.depositor)
  }
}
