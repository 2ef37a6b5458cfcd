/**
 * readLength (src/utils/streams.ts), the varint length prefix a mailbox
 * reads before it reserves room for a deposit: any length a varint of up to
 * 5 bytes holds is read back exactly, and any bytes at all give a length or
 * InvalidLengthPrefixError, never more than 5 bytes consumed.
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { InvalidLengthPrefixError } from '../../src/utils/errors.js'
import { readLength } from '../../src/utils/streams.js'
import type { Stream } from '@libp2p/interface'
import type { ByteStream } from '@libp2p/utils'

/** A byte stream over `bytes`, counting what was read */
function over (bytes: Uint8Array): { stream: ByteStream<Stream>, consumed: () => number } {
  let at = 0
  const stream = {
    read: async ({ bytes: n }: { bytes: number }) => {
      if (at + n > bytes.byteLength) throw Object.assign(new Error('unexpected end'), { name: 'UnexpectedEOFError' })
      at += n
      return new Uint8ArrayList(bytes.subarray(at - n, at))
    }
  } as unknown as ByteStream<Stream>
  return { stream, consumed: () => at }
}

describe('readLength', () => {
  const signal = new AbortController().signal

  it('reads back any length a varint of up to 5 bytes holds, and nothing after it', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 35 - 1 }), fc.uint8Array({ maxLength: 8 }), async (length, rest) => {
      const prefix = varint.encode(length)
      const { stream, consumed } = over(Uint8Array.from([...prefix, ...rest]))
      assert.equal(await readLength(stream, signal), length)
      assert.equal(consumed(), prefix.byteLength)
    }), { numRuns: 500 })
  })

  it('gives a length or InvalidLengthPrefixError for any bytes, reading at most 5', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 5, maxLength: 12 }), async bytes => {
      const { stream, consumed } = over(bytes)
      try {
        const length = await readLength(stream, signal)
        assert.ok(Number.isSafeInteger(length) && length >= 0)
      } catch (err) {
        assert.ok(err instanceof InvalidLengthPrefixError, String(err))
      }
      assert.ok(consumed() <= 5)
    }), { numRuns: 500 })
  })
})
