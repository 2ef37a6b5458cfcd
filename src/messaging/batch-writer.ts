/**
 * Group commit: datastore writes that arrive while a commit is running wait
 * and go together in the next one. At rest a write commits at once (no
 * timer: nothing waits for company that may not come); under
 * load many messages share one LevelDB batch (one log write) instead of
 * paying for a batch each. Each write resolves only once its batch has
 * committed, so what a caller does next (an acknowledgement) follows the
 * write to disk.
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

  constructor (datastore: Datastore) {
    this.datastore = datastore
  }

  /** Put `ops` into the next batch; resolves once that batch is committed */
  async write (ops: (batch: Batch) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ops, resolve, reject })
      // run() never rejects: a failed commit rejects the writes it held
      this.running ??= this.run()
    })
  }

  /** Resolves once every write made so far is committed (or has failed) */
  async idle (): Promise<void> {
    while (this.running != null) await this.running
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
