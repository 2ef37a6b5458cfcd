/**
 * frame-writes.ts: frames written as one buffer read back, frame for frame,
 * through the same length-prefixed decoder the recipient uses (lpStream's),
 * for any frames at all; a write waits for the stream to drain and fails
 * when it closes first.
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { TypedEventEmitter } from 'main-event'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import { StreamClosedBeforeDrainError } from '../../src/utils/errors.js'
import { lengthPrefixed, writeFrames } from '../../src/utils/frame-writes.js'
import type { Stream } from '@libp2p/interface'

/** A stream that records what it is sent and answers `send` with `accepts` */
function recording (accepts: boolean): { stream: Stream, sent: Uint8Array[], emit: (event: 'drain' | 'close') => void } {
  const sent: Uint8Array[] = []
  const events = new TypedEventEmitter<Record<'drain' | 'close', Event>>()
  const stream = Object.assign(events, {
    send: (data: Uint8Array) => {
      sent.push(data)
      return accepts
    }
  }) as unknown as Stream
  return { stream, sent, emit: event => { events.dispatchEvent(new Event(event)) } }
}

describe('frame writes', () => {
  // IM frames are never empty (a Deliver holds an envelope, Receipts a receipt); this decoder skips empty ones
  it('reads back any frames exactly, in order, through the length-prefixed decoder', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 40 }), frames => {
      const bytes = lengthPrefixed(frames)
      const read = [...new LengthPrefixedDecoder().decode(bytes)].map(frame => frame.subarray())
      assert.deepEqual(read, frames)
    }), { numRuns: 300 })
  })

  it('sends all frames in one call, and resolves at once when the stream takes them', async () => {
    const { stream, sent } = recording(true)
    await writeFrames(stream, [Uint8Array.of(1), Uint8Array.of(2, 3)])
    assert.equal(sent.length, 1)
    assert.deepEqual([...sent[0]], [1, 1, 2, 2, 3])
  })

  it('waits for a full stream to drain, and fails if it closes instead', async () => {
    const full = recording(false)
    let done = false
    const written = writeFrames(full.stream, [Uint8Array.of(1)]).then(() => { done = true })
    await new Promise(resolve => setImmediate(resolve))
    assert.equal(done, false, 'resolved before the stream drained')
    full.emit('drain')
    await written
    const closing = recording(false)
    const failed = writeFrames(closing.stream, [Uint8Array.of(1)])
    closing.emit('close')
    await assert.rejects(failed, StreamClosedBeforeDrainError)
  })
})
