/**
 * Messages larger than one frame travel in parts (/presence-mesh/im/4.0.0):
 * the sender cuts the signed envelope into parts of at most PART_SIZE, and
 * the recipient puts them back together and checks the whole as one signed
 * message. What a recipient holds of messages still arriving is reserved
 * first from node-wide budgets (ByteBudget), so that a sender who declares
 * large messages and then stalls holds a bounded amount, never more.
 */
import { PART_SIZE } from './constants.js'
import type { Reservation } from '../utils/byte-budget.js'

/** What the recipient sets aside for messages arriving in parts (config.json `messaging`) */
export interface PartsBudgetInit {
  /** Bytes of all messages being put together at once. Default: 32 MiB */
  partsTotalBytes?: number
  /** … from one peer. Default: 8 MiB */
  partsPeerBytes?: number
  /** … from all peers that are not contacts together. Default: 8 MiB */
  partsStrangersBytes?: number
  /** An incomplete message is given up (and its stream ended) this long after its first part, in ms. Default: 60000 */
  partsTimeoutMs?: number
}

/**
 * The Deliver frames of one envelope: itself when it fits one part, else
 * parts of PART_SIZE whose first one declares the whole size
 */
export function splitEnvelope (envelope: Uint8Array): Array<{ envelope: Uint8Array, size: number }> {
  if (envelope.byteLength <= PART_SIZE) return [{ envelope, size: 0 }]
  const parts = []
  for (let at = 0; at < envelope.byteLength; at += PART_SIZE) {
    parts.push({ envelope: envelope.subarray(at, at + PART_SIZE), size: at === 0 ? envelope.byteLength : 0 })
  }
  return parts
}

/** The parts of a message broke the protocol: the stream they came on is ended */
export class PartsError extends Error {
  static name = 'PartsError'
  name = 'PartsError'
}

/**
 * One message arriving in parts on an IM stream: its bytes are copied into
 * a buffer of the declared size, allocated only once that size was
 * reserved, so what a stream holds is exactly what the budget granted. A
 * message whose parts stop coming is given up after a timeout.
 */
export class Assembly {
  /** The position of the message on its stream, which its receipt names */
  readonly seq: number
  readonly reservation: Reservation
  readonly bytes: Uint8Array
  private received = 0
  private readonly timer: ReturnType<typeof setTimeout>

  constructor (seq: number, reservation: Reservation, timeoutMs: number, onTimeout: () => void) {
    this.seq = seq
    this.reservation = reservation
    this.bytes = new Uint8Array(reservation.bytes)
    this.timer = setTimeout(onTimeout, timeoutMs)
    // a stalled sender must not keep the node's process alive
    this.timer.unref?.()
  }

  /** Append a part; false when it would run past the declared size */
  add (part: Uint8Array): boolean {
    if (this.received + part.byteLength > this.bytes.byteLength) return false
    this.bytes.set(part, this.received)
    this.received += part.byteLength
    return true
  }

  complete (): boolean {
    return this.received === this.bytes.byteLength
  }

  stopTimer (): void {
    clearTimeout(this.timer)
  }
}
