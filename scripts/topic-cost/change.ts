/** A presence change as measure.ts publishes it and watcher.ts receives it */
export interface Change {
  /** The presentity whose presence changed */
  contact: string
  seq: number
  /** Wall clock in ms, from now() */
  sentAt: number
}

/** Sub-millisecond wall clock that agrees across worker threads */
export const now = (): number => performance.timeOrigin + performance.now()
