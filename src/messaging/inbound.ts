/**
 * The recipient's side of /presence-mesh/im/4.0.0. Deliver frames are read
 * as they come, a message in parts put together first (its bytes reserved
 * from the node-wide PartBudget, or answered BUSY and its parts skipped),
 * and worked on together, at most IM_WINDOW at once per
 * stream; each one's receipt is queued once its message is durably stored
 * (or refused), and whatever receipts are ready go back in one Receipts
 * frame with one signed acknowledgement of all the delivered ones. Stores
 * of many messages share datastore batches (batch-writer.ts), so under load
 * a window of messages costs about one disk write and one signature.
 */
import { lpStream } from '@libp2p/utils'
import { messageDigest } from './ack.js'
import { clearableTimeout } from '../utils/streams.js'
import { writeFrames } from '../utils/frame-writes.js'
import { DELIVER_FRAME_LIMIT, ENVELOPE_OVERHEAD, IM_CHUNK, IM_WINDOW } from './constants.js'
import { BatchAck, Deliver, Receipt, Receipts } from './pb/message.js'
import type { InstantMessage } from './message.js'
import { Assembly, PartsError } from './parts.js'
import type { ByteBudget } from '../utils/byte-budget.js'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'

/** A decision on one envelope: delivered (stored now or before), or refused with a reason */
export type Taken =
  | { status: Receipt.Status.STATUS_DELIVERED, message: InstantMessage, envelope: Uint8Array, contact: boolean }
  | { status: Exclude<Receipt.Status, Receipt.Status.STATUS_DELIVERED>, reason: string }

export interface InboundInit {
  log: Logger
  maxBodySize: number
  /** Time for one write of receipts before the stream is given up */
  writeTimeout: number
  /** Node-wide room for messages arriving in parts */
  budget: ByteBudget
  /** An incomplete message's stream is ended this long after its first part */
  partsTimeoutMs: number
  /** A contact draws on the whole budget, a stranger only on the strangers' share */
  isContact: (peer: PeerId) => boolean
  /** Decide on and store one envelope delivered by `via`; `storing` is called once its store is under way */
  take: (envelope: Uint8Array, via: PeerId, storing: (message: InstantMessage, envelope: Uint8Array) => void) => Promise<Taken>
  /** The signed BatchAck of `entries`, messages from `sender` */
  acknowledge: (sender: PeerId, entries: BatchAck.Entry[]) => Promise<Uint8Array>
  /** A deposit token for `sender`, a contact */
  depositToken: (sender: PeerId) => Promise<Uint8Array<ArrayBuffer>>
}

interface Answer { seq: number, taken: Taken }

/** An ack signed ahead for the one message whose envelope this is */
interface Early { envelope: Uint8Array, ack: Promise<Uint8Array> }

export class Inbound {
  private readonly init: InboundInit

  constructor (init: InboundInit) {
    this.init = init
  }

  async handle (stream: Stream, connection: Connection): Promise<void> {
    const limit = DELIVER_FRAME_LIMIT
    const maxEnvelope = this.init.maxBodySize + ENVELOPE_OVERHEAD
    const peer = connection.remotePeer
    // an honest sender keeps at most IM_WINDOW messages in flight: that is what may wait here unread
    const lp = lpStream(stream, { maxDataLength: limit, maxBufferSize: IM_WINDOW * limit })
    const ready: Answer[] = []
    let working = 0
    let wake: (() => void) | undefined
    let writing: Promise<void> = Promise.resolve()
    let failed = false
    /** A lone message's ack, signed while its store commits on LevelDB's thread rather than after */
    let early: Early | undefined
    const storing = (message: InstantMessage, envelope: Uint8Array): void => {
      if (working !== 1 || ready.length > 0) return
      // a microtask queued after the one that hands the store's batch to LevelDB (batch-writer.ts)
      queueMicrotask(() => {
        early = { envelope, ack: this.init.acknowledge(message.from, [{ id: message.id, digest: messageDigest(envelope) }]) }
        early.ack.catch(() => {})
      })
    }
    const answered = (answer: Answer): void => {
      ready.push(answer)
      working--
      wake?.()
      // the first answer schedules a write; those that come before it starts (in the same turn of the
      // event loop, or while the previous write is under way) join it, under one signature and in one
      // yamux frame. With nothing else in work there is nothing to wait for
      if (ready.length > 1) return
      const alone = working === 0
      writing = writing.then(async () => {
        if (!alone) await new Promise(resolve => setImmediate(resolve))
        const answers = ready.splice(0)
        if (answers.length === 0 || failed) return
        const signed = early
        early = undefined
        const frames = await this.frames(answers, signed)
        const { signal, clear } = clearableTimeout(this.init.writeTimeout)
        try {
          await writeFrames(stream, frames, { signal })
        } finally {
          clear()
        }
      }).catch(err => {
        failed = true
        stream.abort(err)
      })
    }
    /** The message whose parts are arriving, its bytes reserved; at most one per stream, parts come in a row */
    let assembly: Assembly | undefined
    /** Bytes still to come of a message refused from its first part: read and dropped, never kept */
    let skipping = 0
    /** A refused message's remaining parts must come in time too: a sender that stalls loses the stream */
    let skipTimer: ReturnType<typeof setTimeout> | undefined
    const skip = (bytes: number, frame: number): void => {
      skipping = bytes
      skipTimer = setTimeout(() => {
        if (skipping > 0) stream.abort(new PartsError(`the parts of refused message ${frame} did not all come within ${this.init.partsTimeoutMs} ms`))
      }, this.init.partsTimeoutMs)
      skipTimer.unref?.()
    }
    let seq = 0
    /** Messages read since the event loop last had a turn */
    let sinceTurn = 0
    try {
      while (!failed) {
        while (working >= IM_WINDOW) await new Promise<void>(resolve => { wake = resolve })
        let bytes
        try {
          bytes = await lp.read()
        } catch (err: any) {
          if (err.name === 'UnexpectedEOFError') break
          // the length prefix said more than we take: answer that, without reading (or keeping) the body
          if (err.name !== 'InvalidDataLengthError') throw err
          await stream.closeRead()
          working++
          answered({ seq, taken: { status: Receipt.Status.STATUS_TOO_LARGE, reason: `Messages over ${limit} bytes in one frame are not accepted here (larger ones are sent in parts)` } })
          break
        }
        let deliver: Deliver
        try {
          deliver = Deliver.decode(bytes)
        } catch (err: any) {
          // between messages, one that does not decode is answered; within one, the stream is out of step
          if (assembly != null || skipping > 0) throw err
          const frame = seq
          seq = (seq + 1) >>> 0
          working++
          answered({ seq: frame, taken: { status: Receipt.Status.STATUS_INVALID, reason: `The message frame does not decode: ${err.message}` } })
          continue
        }
        const part = deliver.envelope
        // a part of the message under way: a declared size is a protocol error here
        if ((skipping > 0 || assembly != null) && deliver.size !== 0) throw new PartsError('a message began before the previous one was complete')
        if (skipping > 0) {
          skipping -= part.byteLength
          if (skipping < 0) throw new PartsError('the parts of a refused message exceeded its declared size')
          if (skipping === 0) clearTimeout(skipTimer)
          continue
        }
        if (assembly != null) {
          if (!assembly.add(part)) throw new PartsError('the parts of a message exceeded its declared size')
          if (!assembly.complete()) continue
          const done = assembly
          assembly = undefined
          done.stopTimer()
          this.take(done.bytes, peer, storing).then(taken => { answered({ seq: done.seq, taken }) }, () => {}).finally(done.reservation.release)
          continue
        }
        const frame = seq
        seq = (seq + 1) >>> 0
        working++
        if (deliver.size === 0) {
          this.take(part, peer, storing).then(taken => { answered({ seq: frame, taken }) }, () => {})
          // a turn for the stores of those read so far to commit and be answered (constants.ts IM_CHUNK)
          if (++sinceTurn >= IM_CHUNK) {
            sinceTurn = 0
            await new Promise(resolve => setImmediate(resolve))
          }
          continue
        }
        if (part.byteLength >= deliver.size) throw new PartsError('a first part as large as its whole message')
        if (deliver.size > maxEnvelope) {
          skip(deliver.size - part.byteLength, frame)
          answered({ seq: frame, taken: { status: Receipt.Status.STATUS_TOO_LARGE, reason: `Messages over ${maxEnvelope} bytes (a body of ${this.init.maxBodySize} bytes and its envelope) are not accepted here` } })
          continue
        }
        const reservation = this.init.budget.reserve(peer, deliver.size, !this.init.isContact(peer))
        if (typeof reservation === 'string') {
          skip(deliver.size - part.byteLength, frame)
          answered({ seq: frame, taken: { status: Receipt.Status.STATUS_BUSY, reason: `${reservation}; send again later` } })
          continue
        }
        assembly = new Assembly(frame, reservation, this.init.partsTimeoutMs, () => {
          stream.abort(new PartsError(`the parts of message ${frame} did not all come within ${this.init.partsTimeoutMs} ms`))
        })
        assembly.add(part)
      }
      // the sender is done (or broke the protocol): answer what is in hand, then close
      while (working > (assembly != null ? 1 : 0)) await new Promise<void>(resolve => { wake = resolve })
      await writing
      if (!failed) await stream.close({ signal: AbortSignal.timeout(this.init.writeTimeout) })
    } catch (err: any) {
      this.init.log('IM stream from %p failed - %e', peer, err)
      stream.abort(err)
    } finally {
      // the stream is over: what arrived of an incomplete message is dropped, its reservation returned
      assembly?.stopTimer()
      assembly?.reservation.release()
      clearTimeout(skipTimer)
    }
  }

  /** Never rejects: a failure to store is answered as one (the sender retries) */
  private async take (frame: Uint8Array, via: PeerId, storing: (message: InstantMessage, envelope: Uint8Array) => void): Promise<Taken> {
    try {
      return await this.init.take(frame, via, storing)
    } catch (err: any) {
      this.init.log.error('could not take a message from %p - %e', via, err)
      return { status: Receipt.Status.STATUS_INVALID, reason: 'The recipient could not take the message' }
    }
  }

  /**
   * One Receipts frame per sender among `answers` (one, unless a peer relays
   * others' messages); `early`'s ack stands for a lone delivered answer of its envelope
   */
  private async frames (answers: Answer[], early?: Early): Promise<Uint8Array[]> {
    const only = answers.length === 1 ? answers[0].taken : undefined
    if (early != null && only?.status === Receipt.Status.STATUS_DELIVERED && only.envelope === early.envelope) {
      return [Receipts.encode({
        receipts: [{ seq: answers[0].seq, status: only.status, reason: '' }],
        ack: await early.ack as Uint8Array<ArrayBuffer>,
        depositToken: only.contact ? await this.init.depositToken(only.message.from) : undefined
      })]
    }
    const bySender = new Map<string, { sender?: PeerId, receipts: Receipt[], entries: BatchAck.Entry[], contact: boolean }>()
    for (const { seq, taken } of answers) {
      const sender = taken.status === Receipt.Status.STATUS_DELIVERED ? taken.message.from : undefined
      const key = sender?.toString() ?? ''
      const group = bySender.get(key) ?? { sender, receipts: [], entries: [], contact: false }
      bySender.set(key, group)
      if (taken.status !== Receipt.Status.STATUS_DELIVERED) {
        group.receipts.push({ seq, status: taken.status, reason: taken.reason })
        continue
      }
      group.receipts.push({ seq, status: taken.status, reason: '' })
      group.entries.push({ id: taken.message.id, digest: messageDigest(taken.envelope) })
      group.contact ||= taken.contact
    }
    return Promise.all([...bySender.values()].map(async ({ sender, receipts, entries, contact }) => Receipts.encode({
      receipts,
      ack: sender == null ? undefined : await this.init.acknowledge(sender, entries) as Uint8Array<ArrayBuffer>,
      depositToken: sender != null && contact ? await this.init.depositToken(sender) : undefined
    })))
  }
}
