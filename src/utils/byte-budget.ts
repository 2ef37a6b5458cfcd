/**
 * A node-wide budget of bytes held in memory while they arrive (messages in
 * parts, mailbox deposits): each is reserved before it is read, and one
 * that finds no room is refused at once rather than buffered, so what many
 * streams hold together stays bounded whoever opens them.
 */
import type { PeerId } from '@libp2p/interface'

/** A grant of bytes from the budget; release it when what it held is taken or given up (again: no effect) */
export interface Reservation {
  bytes: number
  release: () => void
}

/** Node-wide budgets of bytes held while they arrive: a total, a share per peer, a share for strangers */
export interface ByteBudgetInit {
  total: number
  perPeer: number
  /** Peers that are not contacts (or not known to be) together */
  strangers: number
  /** Names what is held, in refusals: "messages", "deposits" */
  what: string
}

export class ByteBudget {
  private readonly total: number
  private readonly perPeer: number
  private readonly strangers: number
  private used = 0
  private strangersUsed = 0
  private readonly byPeer = new Map<string, number>()
  private readonly what: string

  constructor (init: ByteBudgetInit) {
    this.total = init.total
    this.perPeer = init.perPeer
    this.strangers = init.strangers
    this.what = init.what
  }

  /** Bytes reserved now, in all and by strangers */
  usage (): { bytes: number, strangersBytes: number, peers: number } {
    return { bytes: this.used, strangersBytes: this.strangersUsed, peers: this.byPeer.size }
  }

  /** Reserve `bytes` for a message from `peer`, or say which budget is used up */
  reserve (peer: PeerId, bytes: number, stranger: boolean): Reservation | string {
    const key = peer.toString()
    const peerUsed = this.byPeer.get(key) ?? 0
    if (this.used + bytes > this.total) return `${this.used} bytes of ${this.what} are held, the limit for all peers is ${this.total}`
    if (peerUsed + bytes > this.perPeer) return `${peerUsed} bytes of your ${this.what} are held, the limit per peer is ${this.perPeer}`
    if (stranger && this.strangersUsed + bytes > this.strangers) return `${this.strangersUsed} bytes of ${this.what} from non-contacts are held, the limit for them is ${this.strangers}`
    this.used += bytes
    this.byPeer.set(key, peerUsed + bytes)
    if (stranger) this.strangersUsed += bytes
    let released = false
    return {
      bytes,
      release: () => {
        if (released) return
        released = true
        this.used -= bytes
        if (stranger) this.strangersUsed -= bytes
        const left = (this.byPeer.get(key) ?? bytes) - bytes
        if (left > 0) this.byPeer.set(key, left)
        else this.byPeer.delete(key)
      }
    }
  }
}
