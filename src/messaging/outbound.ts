/**
 * The sender's side of /presence-mesh/im/4.0.0: one long-lived stream per
 * connection, opened by the first message and closed after IM_IDLE_MS with
 * nothing in flight. Messages go out as soon as they are sealed, many in
 * flight at once; the recipient answers them in batches, each batch with
 * one signed acknowledgement of every message it reports delivered.
 *
 * A message is only ever settled by its own receipt. When the stream breaks,
 * every message still in flight fails with a transient error, and the
 * delivery loop sends it again — on a new stream — knowing the recipient
 * recognises a message it already stored and acknowledges it again.
 */
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import { equals } from 'uint8arrays/equals'
import { messageDigest, verifyBatchAck } from './ack.js'
import { IM_CHUNK, IM_IDLE_MS, IM_PROTOCOL, IM_WINDOW, RECEIPTS_FRAME_LIMIT } from './constants.js'
import { splitEnvelope } from './parts.js'
import { writeFrames } from '../utils/frame-writes.js'
import { Deliver, Receipt, Receipts } from './pb/message.js'
import type { InstantMessage } from './message.js'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'

/** What the recipient said about one message; `delivered` only with a verified acknowledgement */
export type StreamOutcome = { status: 'delivered' } | { status: 'invalid-ack', reason: string } | { status: Exclude<Receipt.Status, Receipt.Status.STATUS_DELIVERED>, reason: string }

interface InFlight {
  id: string
  digest: Uint8Array
  resolve: (outcome: StreamOutcome) => void
  reject: (err: Error) => void
}

export class StreamClosedError extends Error {
  name = 'StreamClosedError'
}

export interface OutboundInit {
  self: PeerId
  log: Logger
  /** Time to open a stream (negotiation included) */
  openTimeout: number
  /** A deposit token came with a batch of receipts */
  onDepositToken: (recipient: PeerId, token: Uint8Array) => void
}

/** One connection's stream and the messages in flight on it */
class Channel {
  private readonly connection: Connection
  private readonly init: OutboundInit
  private readonly onClosed: () => void
  private readonly opened: Promise<Stream>
  private readonly inFlight = new Map<number, InFlight>()
  /** Frames waiting for the next write: all queued in one turn of the event loop go out in one write */
  private queued: Uint8Array[] = []
  private seq = 0
  /** Messages waiting for room in the window (IM_WINDOW in flight at most) */
  private readonly waiting: Array<() => void> = []
  private idle?: ReturnType<typeof setTimeout>
  closed = false

  constructor (connection: Connection, init: OutboundInit, onClosed: () => void) {
    this.connection = connection
    this.init = init
    this.onClosed = onClosed
    this.opened = this.open()
    // a failed open is reported to each message that waits for it
    this.opened.catch(err => { this.close(err) })
  }

  private async open (): Promise<Stream> {
    const stream = await this.connection.newStream(IM_PROTOCOL, { signal: AbortSignal.timeout(this.init.openTimeout), runOnLimitedConnection: true })
    const lp = lpStream(stream, { maxDataLength: RECEIPTS_FRAME_LIMIT })
    this.read(lp).then(() => { this.close(new StreamClosedError('the recipient closed the stream')) }, err => { this.close(err) })
    return stream
  }

  /** Send one sealed message; resolves with the recipient's outcome, rejects on a broken stream or `signal` */
  async deliver (envelope: Uint8Array, message: InstantMessage, signal: AbortSignal): Promise<StreamOutcome> {
    if (this.idle != null) clearTimeout(this.idle)
    // the recipient reads no further than its window: what waits beyond it waits here, not in its buffers
    while (this.inFlight.size >= IM_WINDOW && !this.closed && !signal.aborted) await new Promise<void>(resolve => this.waiting.push(resolve))
    if (this.closed) throw new StreamClosedError('the stream was closed')
    if (signal.aborted) {
      // pass the room on to the next one waiting
      if (this.inFlight.size < IM_WINDOW) this.waiting.shift()?.()
      signal.throwIfAborted()
    }
    const seq = this.seq
    this.seq = (this.seq + 1) >>> 0
    const answer = new Promise<StreamOutcome>((resolve, reject) => {
      this.inFlight.set(seq, { id: message.id, digest: messageDigest(envelope), resolve, reject })
    })
    // a large message's parts are queued in one turn, so they go out in a row, as the recipient needs them
    for (const part of splitEnvelope(envelope)) this.queue(Deliver.encode({ envelope: part.envelope as Uint8Array<ArrayBuffer>, size: part.size }))
    const onAbort = (): void => {
      // given up on: a late receipt for it is ignored, and a retry is recognised by the recipient
      this.inFlight.get(seq)?.reject(signal.reason ?? new Error('aborted'))
      this.settled(seq)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      return await answer
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  private queue (frame: Uint8Array): void {
    this.queued.push(frame)
    // IM_CHUNK frames are worth a write of their own, at once: the recipient starts on them while
    // the rest of the window is sealed (constants.ts)
    if (this.queued.length === IM_CHUNK) {
      this.write(false)
      return
    }
    if (this.queued.length > 1) return
    // with others in flight, flushed once the event loop has run what is ready (setImmediate, not a
    // microtask): a burst's messages are sealed in many turns of the microtask queue, and each write
    // costs a yamux frame, a noise encryption, a syscall — and the recipient a window update of its
    // own. A lone message has no company to wait for: it goes at once
    this.write(this.inFlight.size > 1)
  }

  /**
   * Write every frame queued when the write runs, not when it was scheduled:
   * however writes were scheduled and whichever runs first, frames keep
   * their order (a large message's parts above all)
   */
  private write (afterTurn: boolean): void {
    this.opened.then(async stream => {
      if (afterTurn) await new Promise(resolve => setImmediate(resolve))
      const frames = this.queued
      this.queued = []
      if (frames.length > 0) await writeFrames(stream, frames)
    }).catch(err => { this.close(err) })
  }

  private async read (lp: LengthPrefixedStream): Promise<void> {
    const recipient = this.connection.remotePeer
    while (true) {
      const frame = Receipts.decode(await lp.read())
      let acked = new Map<string, Uint8Array>()
      let ackError = 'the recipient sent no acknowledgement'
      if (frame.ack != null) {
        try {
          acked = await verifyBatchAck(frame.ack, recipient, this.init.self)
        } catch (err: any) {
          ackError = err.message
        }
      }
      if (frame.depositToken != null && acked.size > 0) this.init.onDepositToken(recipient, frame.depositToken)
      for (const receipt of frame.receipts) {
        const waiting = this.inFlight.get(receipt.seq)
        if (waiting == null) continue
        this.settled(receipt.seq)
        if (receipt.status !== Receipt.Status.STATUS_DELIVERED) {
          waiting.resolve({ status: receipt.status, reason: receipt.reason })
        } else {
          const digest = acked.get(waiting.id)
          waiting.resolve(digest != null && equals(digest, waiting.digest) ? { status: 'delivered' } : { status: 'invalid-ack', reason: ackError })
        }
      }
    }
  }

  private settled (seq: number): void {
    if (!this.inFlight.delete(seq)) return
    this.waiting.shift()?.()
    if (this.inFlight.size > 0 || this.closed) return
    this.idle = setTimeout(() => { this.close() }, IM_IDLE_MS)
    this.idle.unref?.()
  }

  /** End the stream: gracefully when idle, else abort; every message in flight fails (and is retried) */
  close (err?: Error): void {
    if (this.closed) return
    this.closed = true
    if (this.idle != null) clearTimeout(this.idle)
    this.onClosed()
    const failure = err ?? new StreamClosedError('the stream was closed')
    for (const waiting of this.inFlight.values()) waiting.reject(failure)
    this.inFlight.clear()
    for (const wake of this.waiting.splice(0)) wake()
    this.opened.then(stream => {
      if (err == null) stream.close().catch(e => { stream.abort(e) })
      else stream.abort(err)
    }, () => {})
    if (err != null) this.init.log('IM stream to %p closed - %e', this.connection.remotePeer, err)
  }
}

/** The channels of all connections, keyed by connection id */
export class Outbound {
  private readonly init: OutboundInit
  private readonly channels = new Map<string, Channel>()

  constructor (init: OutboundInit) {
    this.init = init
  }

  async deliver (connection: Connection, envelope: Uint8Array, message: InstantMessage, signal: AbortSignal): Promise<StreamOutcome> {
    let channel = this.channels.get(connection.id)
    if (channel == null || channel.closed) {
      const created: Channel = new Channel(connection, this.init, () => {
        if (this.channels.get(connection.id) === created) this.channels.delete(connection.id)
      })
      channel = created
      this.channels.set(connection.id, channel)
    }
    return channel.deliver(envelope, message, signal)
  }

  stop (): void {
    for (const channel of [...this.channels.values()]) channel.close(new StreamClosedError('the node is stopping'))
  }
}
