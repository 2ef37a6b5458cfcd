/**
 * Group commit: datastore writes that arrive while a commit is running wait
 * and go together in the next one. At rest a write commits at once (no
 * timer: nothing waits for company that may not come); under
 * load many messages share one LevelDB batch (one log write) instead of
 * paying for a batch each. Each write resolves only once its batch has
 * committed, so what a caller does next (an acknowledgement) follows the
 * write to disk.
 *
 * A write nobody waits on before answering a peer (the sender's outbox and
 * history) may be `deferred`: it starts a turn of the event loop later, so
 * its batch's synchronous part (keys, values, LevelDB's own work: about
 * 90 µs) runs after the frame it goes with is written and after send()
 * returns, not before; a write that is not deferred takes it along at once.
 */
import type { Batch, Datastore } from 'interface-datastore'

/** Writes in one batch at most: bounds the batch a burst builds */
const MAX_WRITES_PER_BATCH = 256

interface Write {
  ops: (batch: Batch) => void
  resolve: () => void
  reject: (err: Error) => void
}

export class BatchWriter {
  private readonly datastore: Datastore
  private waiting: Write[] = []
  /** The commits under way, until nothing is left to write */
  private running?: Promise<void>
  /** Deferred writes wait for this turn of the event loop, unless a write that is not deferred comes first */
  private deferred?: ReturnType<typeof setImmediate>

  constructor (datastore: Datastore) {
    this.datastore = datastore
  }

  /**
   * Put `ops` into the next batch; resolves once that batch is committed.
   * Writes keep their order whether deferred or not
   */
  async write (ops: (batch: Batch) => void, options: { deferred?: boolean } = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ops, resolve, reject })
      if (this.running != null) return
      if (options.deferred === true) {
        this.deferred ??= setImmediate(() => { this.start() })
        return
      }
      this.start()
    })
  }

  /** Resolves once every write made so far is committed (or has failed) */
  async idle (): Promise<void> {
    if (this.deferred != null) this.start()
    while (this.running != null) await this.running
  }

  private start (): void {
    clearImmediate(this.deferred)
    this.deferred = undefined
    // run() never rejects: a failed commit rejects the writes it held
    this.running ??= this.run()
  }

  private async run (): Promise<void> {
    try {
      // the writes made in the same microtask round join the first batch; later ones wait for the next
      await Promise.resolve()
      while (this.waiting.length > 0) {
        const writes = this.waiting.splice(0, MAX_WRITES_PER_BATCH)
        try {
          const batch = this.datastore.batch()
          for (const write of writes) write.ops(batch)
          await batch.commit()
          for (const write of writes) write.resolve()
        } catch (err: any) {
          for (const write of writes) write.reject(err)
        }
      }
    } finally {
      this.running = undefined
    }
  }
}
