/**
 * Fake timers for unit tests (node:test's MockTimers, which mocha can use
 * too): setTimeout, setInterval and Date move only when a test advances the
 * clock. setImmediate stays real, so that promises and in-memory streams
 * (whose messages travel on a zero-delay setTimeout) are pumped between
 * steps.
 */
import { mock } from 'node:test'

/** The fake epoch: a fixed date, so that records' timestamps are valid */
export const EPOCH = Date.UTC(2026, 0, 1)

const immediate = async (): Promise<void> => new Promise(resolve => setImmediate(resolve))

export interface FakeClock {
  /** Run what is due now and let promises and streams settle */
  settle(): Promise<void>
  /** Move the clock by `ms`, in steps of at most `step` ms, settling after each */
  advance(ms: number, step?: number): Promise<void>
  /** Settle until `promise` is done (bounded), and return its value */
  until<T>(promise: Promise<T>): Promise<T>
  restore(): void
}

export function fakeClock (): FakeClock {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: EPOCH })
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) {
      mock.timers.tick(0)
      await immediate()
    }
  }
  return {
    settle,
    async advance (ms, step = 1_000) {
      for (let left = ms; left > 0; left -= step) {
        mock.timers.tick(Math.min(step, left))
        await settle()
      }
    },
    async until (promise) {
      let done = false
      const result = promise.finally(() => { done = true })
      // a bound, so that a promise that never settles fails the test instead of hanging it
      for (let i = 0; i < 500 && !done; i++) await settle()
      if (!done) throw new Error('the promise did not settle on the fake clock')
      return result
    },
    restore () { mock.timers.reset() }
  }
}
