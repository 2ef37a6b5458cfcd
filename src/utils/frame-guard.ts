/**
 * A guard on the bytes a remote sends on one inbound stream, checked as they
 * arrive and before any reader buffers them.
 *
 * libp2p's length-prefixed readers buffer a frame until it is complete, up
 * to the reader's `maxDataLength` (4 MiB when a library sets none, as
 * kad-dht and circuit relay do) and, beyond the frame, up to 4 MiB more of
 * whatever follows. Yamux grants window as soon as bytes reach the stream,
 * so nothing slows a sender that announces a large frame and never finishes
 * it. The guard parses the varint length prefixes of the inbound byte flow
 * itself and aborts the stream when a frame announces more than the
 * protocol's largest message, when bytes follow the last message the
 * protocol has, or when an unframed stream (ping) carries more bytes than
 * its budget.
 */
import * as varint from 'uint8-varint'
import { FrameLimitError } from './errors.js'
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface FrameLimits {
  /** Largest length-prefixed message the remote may send on this stream, in bytes */
  maxFrame: number
  /** Messages the remote sends on one stream. Default: any number */
  frames?: number
  /**
   * What follows the last message: nothing (`'end'`: any byte aborts the
   * stream; the default) or an unframed byte stream the guard does not look
   * into (`'raw'`: a relayed connection after the circuit handshake)
   */
  after?: 'end' | 'raw'
  /**
   * With `after: 'raw'`: the unframed bytes the stream may carry in all.
   * Default: any number. An echo protocol (ping) holds what it cannot send
   * back yet: a budget bounds what one stream costs when the remote sends
   * without reading the answers
   */
  maxRawBytes?: number
}

/**
 * The part of libp2p's stream implementation (AbstractMessageStream) that
 * muxers feed, and where bytes wait that came before a reader: a sender may
 * write its first message before protocol negotiation has finished
 */
interface FedStream { onData?: (data: Uint8Array | Uint8ArrayList) => void, readBuffer?: Uint8ArrayList }

/**
 * Watch what the remote sends on `stream`. Returns false when the stream
 * does not take data the way the guard expects (it is then left alone).
 */
export function guardFrames (stream: Stream, limits: FrameLimits, onViolation: (err: FrameLimitError) => void = err => { stream.abort(err) }): boolean {
  const fed = stream as unknown as FedStream
  if (typeof fed.onData !== 'function') return false
  const deliver = fed.onData.bind(stream)
  const parser = new FrameParser(limits)
  const check = (data: Uint8Array | Uint8ArrayList): boolean => {
    if (parser.state === 'violated') return false
    if (parser.state === 'raw' && !parser.countsRaw) return true
    for (const chunk of data instanceof Uint8Array ? [data] : data) {
      const error = parser.push(chunk)
      if (error != null) {
        // the muxer may still be inside its frame handler: abort once it has returned
        onViolation(error)
        return false
      }
    }
    return true
  }
  if (fed.readBuffer != null && fed.readBuffer.byteLength > 0 && !check(fed.readBuffer)) return true
  fed.onData = (data) => {
    if (check(data)) deliver(data)
  }
  return true
}

type ParserState = 'length' | 'body' | 'end' | 'raw' | 'violated'

/** Tracks frame boundaries in a byte flow without keeping the bytes */
export class FrameParser {
  state: ParserState
  private readonly limits: FrameLimits
  private readonly maxLengthBytes: number
  private length = 0
  private lengthBytes = 0
  private remaining = 0
  private seen = 0
  private raw = 0

  constructor (limits: FrameLimits) {
    this.limits = limits
    this.maxLengthBytes = varint.encodingLength(limits.maxFrame)
    this.state = limits.frames === 0 ? this.afterLast() : 'length'
  }

  /** Whether raw bytes still need counting against `maxRawBytes` */
  get countsRaw (): boolean {
    return this.limits.maxRawBytes != null
  }

  /** Take the next bytes; an error when they break the limits (the parser then refuses everything) */
  push (bytes: Uint8Array): FrameLimitError | undefined {
    let i = 0
    while (i < bytes.byteLength && this.state !== 'raw') {
      if (this.state === 'end') return this.violate(`data after the protocol's last message (${this.seen})`)
      if (this.state === 'length') {
        const byte = bytes[i++]
        this.length += (byte & 0x7f) * 2 ** (7 * this.lengthBytes)
        this.lengthBytes++
        if (this.length > this.limits.maxFrame) return this.violate(`a message of ${this.length} bytes or more announced, the limit is ${this.limits.maxFrame}`)
        if ((byte & 0x80) !== 0) {
          if (this.lengthBytes >= this.maxLengthBytes) return this.violate(`a length prefix longer than ${this.maxLengthBytes} bytes`)
          continue
        }
        this.remaining = this.length
        this.length = 0
        this.lengthBytes = 0
        if (this.remaining === 0) this.frameDone()
        else this.state = 'body'
      } else {
        const take = Math.min(this.remaining, bytes.byteLength - i)
        i += take
        this.remaining -= take
        if (this.remaining === 0) this.frameDone()
      }
    }
    if (this.state === 'raw' && this.limits.maxRawBytes != null) {
      this.raw += bytes.byteLength - i
      if (this.raw > this.limits.maxRawBytes) return this.violate(`more than ${this.limits.maxRawBytes} bytes of data`)
    }
    return undefined
  }

  private frameDone (): void {
    this.seen++
    this.state = this.limits.frames != null && this.seen >= this.limits.frames ? this.afterLast() : 'length'
  }

  private afterLast (): ParserState {
    return this.limits.after === 'raw' ? 'raw' : 'end'
  }

  private violate (reason: string): FrameLimitError {
    this.state = 'violated'
    return new FrameLimitError(`Stream aborted: ${reason}`)
  }
}
