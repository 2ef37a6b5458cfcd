/**
 * The watcher's side of access control: the view key each presentity
 * granted us, and which presentities refused us. Kept in the datastore, so
 * that a granted view stays readable from the DHT while the presentity is
 * offline, and a refusal is still known then.
 */
import { Key, type Datastore } from 'interface-datastore'
import { fromString, toString } from 'uint8arrays'
import { equals } from 'uint8arrays/equals'
import { openView, type ViewKey } from './views.js'
import type { PresenceRecord } from '../record.js'
import type { PeerId } from '@libp2p/interface'

const PREFIX = '/presence-mesh/access/keyring'

/**
 * How a record was shown to us. `public`: its plaintext, the presentity's
 * public view; `granted`: the view the presentity granted us; `restricted`:
 * the presentity shows no public view and we hold no key for this record;
 * `refused`: the presentity refused us.
 */
export type Access = 'public' | 'granted' | 'restricted' | 'refused'

export interface Revealed {
  record: PresenceRecord
  access: Access
}

interface Entry {
  key?: ViewKey
  refused: boolean
}

export class Keyring {
  private readonly datastore: Datastore
  private readonly entries = new Map<string, Entry>()

  constructor (datastore: Datastore) {
    this.datastore = datastore
  }

  async load (): Promise<void> {
    for await (const { key, value } of this.datastore.query({ prefix: PREFIX })) {
      try {
        const stored = JSON.parse(toString(value))
        this.entries.set(key.baseNamespace(), {
          refused: stored.refused === true,
          key: stored.keyId == null ? undefined : { keyId: fromString(stored.keyId, 'base64'), key: fromString(stored.key, 'base64') }
        })
      } catch {
        await this.datastore.delete(key)
      }
    }
  }

  /** What we may see of a verified record */
  reveal (record: PresenceRecord): Revealed {
    const entry = this.entries.get(record.presentity.toString())
    if (entry?.key != null) {
      const view = openView(record, entry.key)
      if (view != null) return { record: view, access: 'granted' }
    }
    if (entry?.refused === true) return { record: { ...record, views: [] }, access: 'refused' }
    return { record, access: record.restricted === true ? 'restricted' : 'public' }
  }

  /**
   * Would asking the presentity change what we see of this record: it seals
   * views and we hold no key that opens one of them, or it shows no public view
   */
  wantsKey (record: PresenceRecord): boolean {
    const key = this.entries.get(record.presentity.toString())?.key
    const views = record.views ?? []
    if (key != null && views.some(view => equals(view.keyId, key.keyId))) return false
    return views.length > 0 || record.restricted === true
  }

  isRefused (presentity: PeerId): boolean {
    return this.entries.get(presentity.toString())?.refused === true
  }

  /** The presentity answered: grant (with a key, or to its public view) or refusal */
  async update (presentity: PeerId, entry: Entry): Promise<void> {
    const id = presentity.toString()
    if (entry.key == null && !entry.refused) {
      this.entries.delete(id)
      await this.datastore.delete(new Key(`${PREFIX}/${id}`))
      return
    }
    this.entries.set(id, entry)
    const stored = { refused: entry.refused, keyId: entry.key == null ? undefined : toString(entry.key.keyId, 'base64'), key: entry.key == null ? undefined : toString(entry.key.key, 'base64') }
    await this.datastore.put(new Key(`${PREFIX}/${id}`), fromString(JSON.stringify(stored)))
  }
}
