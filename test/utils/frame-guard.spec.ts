import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as varint from 'uint8-varint'
import { mergeSettings, validateSettings } from '../../src/node/config.js'
import { FrameParser } from '../../src/utils/frame-guard.js'

/** Length-prefix each message and concatenate them, as pbStream writes them */
function framed (messages: Uint8Array[]): Uint8Array {
  const parts = messages.flatMap(m => [varint.encode(m.byteLength), m])
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}

/** Feed `bytes` in the given chunk sizes; the first error, if any */
function feed (parser: FrameParser, bytes: Uint8Array, cuts: number[]): Error | undefined {
  let offset = 0
  for (const cut of [...cuts, bytes.byteLength]) {
    const end = Math.min(bytes.byteLength, offset + cut)
    const error = parser.push(bytes.subarray(offset, end))
    if (error != null) return error
    offset = end
    if (offset >= bytes.byteLength) break
  }
  return undefined
}

const message = (max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max })
const cuts = fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 40 })

describe('frame guard', () => {
  it('lets through any sequence of messages within the limits, however the bytes are cut', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 600 }), fc.array(message(600), { maxLength: 6 }), cuts, (maxFrame, messages, chunks) => {
      const fitting = messages.filter(m => m.byteLength <= maxFrame)
      const parser = new FrameParser({ maxFrame })
      assert.equal(feed(parser, framed(fitting), chunks), undefined)
      assert.ok(parser.state === 'length', 'ready for the next message after whole ones')
    }))
  })

  it('aborts on the first message over the limit, before its body arrives', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 600 }), fc.array(message(100), { maxLength: 3 }), fc.integer({ min: 1, max: 2 ** 31 }), cuts, (maxFrame, before, excess, chunks) => {
      const fitting = before.filter(m => m.byteLength <= maxFrame)
      // only the prefix of the oversized frame is sent: the guard must not need its body
      const bytes = framed([...fitting])
      const prefix = varint.encode(maxFrame + excess)
      const all = new Uint8Array(bytes.byteLength + prefix.byteLength)
      all.set(bytes)
      all.set(prefix, bytes.byteLength)
      const error = feed(new FrameParser({ maxFrame }), all, chunks)
      assert.ok(error != null && error.name === 'FrameLimitError', `no error for a ${maxFrame + excess}-byte frame, limit ${maxFrame}`)
    }))
  })

  it('refuses bytes after the last message, or passes them untouched when a raw stream follows', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.uint8Array({ minLength: 1, maxLength: 200 }), cuts, (frames, trailing, chunks) => {
      const messages = Array.from({ length: frames }, (_, i) => new Uint8Array(i * 7))
      const bytes = framed(messages)
      const all = new Uint8Array(bytes.byteLength + trailing.byteLength)
      all.set(bytes)
      all.set(trailing, bytes.byteLength)
      assert.equal(feed(new FrameParser({ maxFrame: 64, frames }), all, chunks)?.name, 'FrameLimitError')
      const raw = new FrameParser({ maxFrame: 64, frames, after: 'raw' })
      assert.equal(feed(raw, all, chunks), undefined)
      assert.equal(raw.state, 'raw')
    }))
  })

  it('holds an unframed stream (ping) to its byte budget, however the bytes are cut', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 600 }), cuts, (budget, sent, chunks) => {
      const parser = new FrameParser({ maxFrame: 0, frames: 0, after: 'raw', maxRawBytes: budget })
      const error = feed(parser, new Uint8Array(sent), chunks)
      if (sent <= budget) assert.equal(error, undefined)
      else assert.ok(error?.name === 'FrameLimitError', `${sent} bytes passed a budget of ${budget}`)
    }))
  })

  it('never throws on arbitrary bytes, and refuses everything once it has refused', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 0, max: 4096 }), cuts, (bytes, maxFrame, chunks) => {
      const parser = new FrameParser({ maxFrame })
      const error = feed(parser, bytes, chunks)
      if (error != null) assert.equal(parser.push(new Uint8Array(0)) ?? parser.state, 'violated')
    }))
  })

  it('takes "streams" from config.json as a partial section, and names the file and key when wrong', () => {
    assert.deepEqual(mergeSettings(validateSettings({ streams: { maxPerPeer: 4 } }, 'c.json')).streams, { maxPerPeer: 4 })
    assert.throws(() => validateSettings({ streams: { maxPerPeer: 0 } }, 'c.json'), /c\.json: "streams": "maxPerPeer" must be a whole number/)
    assert.throws(() => validateSettings({ streams: { perPeer: 3 } }, 'c.json'), /c\.json: "streams": unknown key "perPeer"/)
    assert.throws(() => validateSettings({ streams: 3 }, 'c.json'), /c\.json: "streams" must be an object/)
  })
})
