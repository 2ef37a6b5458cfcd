/**
 * The ids already received from each recent sender, kept in memory. A
 * LevelDB lookup of a key that is not there (every new message's) cost
 * about 0.3 ms of the event loop here under load, more than verifying the
 * message's signature. Instead a sender's seen-markers are read with one
 * range scan the first time it sends after a start, then kept while it is
 * among the most recent senders.
 *
 * The entry is created before its scan begins, and every marker committed
 * afterwards is added to it: a marker is either in the scan's snapshot or
 * added when its batch commits, so a message stored during the scan is not
 * missed.
 */
import type { Datastore } from 'interface-datastore'

/** Senders whose ids are kept; the least recently active is forgotten first (and read again if it returns) */
const MAX_SENDERS = 256

interface Entry { ids: Set<string>, loaded: Promise<void> }

export class SeenIds {
  private readonly datastore: Datastore
  private readonly prefix: string
  private readonly senders = new Map<string, Entry>()

  /** `prefix`: where the markers live, as `${prefix}/${sender}/${id}` */
  constructor (datastore: Datastore, prefix: string) {
    this.datastore = datastore
    this.prefix = prefix
  }

  /** Whether `sender` sent `id` (as stored in the key) before */
  async has (sender: string, id: string): Promise<boolean> {
    const entry = this.entry(sender)
    await entry.loaded
    return entry.ids.has(id)
  }

  /** A marker was committed */
  add (sender: string, id: string): void {
    this.senders.get(sender)?.ids.add(id)
  }

  private entry (sender: string): Entry {
    const known = this.senders.get(sender)
    if (known != null) {
      // most recently active last: the first entry is the one to forget
      this.senders.delete(sender)
      this.senders.set(sender, known)
      return known
    }
    const ids = new Set<string>()
    const entry: Entry = { ids, loaded: this.load(sender, ids) }
    entry.loaded.catch(() => {
      // read again next time rather than trust a partial set
      if (this.senders.get(sender) === entry) this.senders.delete(sender)
    })
    this.senders.set(sender, entry)
    if (this.senders.size > MAX_SENDERS) this.senders.delete(this.senders.keys().next().value as string)
    return entry
  }

  private async load (sender: string, ids: Set<string>): Promise<void> {
    for await (const key of this.datastore.queryKeys({ prefix: `${this.prefix}/${sender}/` })) {
      const [id, owner] = [key.baseNamespace(), key.parent().baseNamespace()]
      if (owner === sender) ids.add(id)
    }
  }
}
