/**
 * The per-message timeout of the messaging hot path: it aborts as a timeout
 * or with the caller's reason, and once cleared it never fires.
 */
import assert from 'node:assert/strict'
import { clearableTimeout } from '../../src/utils/streams.js'

const aborted = async (signal: AbortSignal): Promise<unknown> => new Promise(resolve => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }))

describe('clearableTimeout', () => {
  it('aborts with a TimeoutError once its time is up', async () => {
    const { signal } = clearableTimeout(20)
    const reason = await aborted(signal) as Error
    assert.equal(reason.name, 'TimeoutError')
  })

  it('aborts with the caller\'s reason, at once when the caller gave up already', async () => {
    const caller = new AbortController()
    const { signal, clear } = clearableTimeout(60_000, caller.signal)
    const reason = aborted(signal)
    caller.abort(new Error('the user left'))
    assert.equal((await reason as Error).message, 'the user left')
    clear()
    assert.equal((clearableTimeout(60_000, caller.signal).signal.reason as Error).message, 'the user left')
  })

  it('never fires once cleared, whatever happens to the caller\'s signal', async () => {
    const caller = new AbortController()
    const { signal, clear } = clearableTimeout(10, caller.signal)
    clear()
    caller.abort(new Error('too late'))
    await new Promise(resolve => setTimeout(resolve, 50))
    assert.equal(signal.aborted, false)
  })
})
