/**
 * The watcher's side of access control: the view key each presentity
 * granted us, and which presentities refused us. Kept in the datastore, so
 * that a granted view stays readable from the DHT while the presentity is
 * offline, and a refusal is still known then.
 */
import { Key, type Datastore } from 'interface-datastore'
import { fromString } from 'uint8arrays'
import { equals } from 'uint8arrays/equals'
import { SubscribeResponse } from '../pb/protocol.js'
import { StoredKeyringEntry } from '../pb/stored.js'
import { checkViewKey } from './view-keys.js'
import { openView, type ViewKey } from './views.js'
import { need, readAll, storedForm } from '../../utils/stored-values.js'
import type { PresenceRecord } from '../record.js'
import type { Logger, PeerId } from '@libp2p/interface'

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

export interface Entry {
  key?: ViewKey
  refused: boolean
}

/** An entry per presentity; older versions wrote JSON with base64 strings */
export const KEYRING_FORM = storedForm<StoredKeyringEntry, Entry>({
  codec: StoredKeyringEntry,
  check: message => message.key == null ? { refused: message.refused } : { refused: message.refused, key: checkViewKey(message.key.keyId, message.key.key) },
  toMessage: entry => ({ refused: entry.refused, key: entry.key == null ? undefined : { keyId: new Uint8Array(entry.key.keyId), key: new Uint8Array(entry.key.key) } }),
  fromJson: (json: any) => {
    need(typeof json === 'object' && json != null, 'not an object')
    if (json.keyId == null) return { refused: json.refused === true }
    need(typeof json.keyId === 'string' && typeof json.key === 'string', 'a key without its id or bytes')
    return { refused: json.refused === true, key: checkViewKey(fromString(json.keyId, 'base64'), fromString(json.key, 'base64')) }
  }
})

export class Keyring {
  private readonly datastore: Datastore
  private readonly log: Pick<Logger, 'error'>
  private readonly entries = new Map<string, Entry>()

  constructor (datastore: Datastore, log: Pick<Logger, 'error'>) {
    this.datastore = datastore
    this.log = log
  }

  /** An entry that does not read is set aside: that presentity is asked again, as if never met */
  async load (): Promise<void> {
    for await (const { key, value } of readAll(this.datastore, PREFIX, KEYRING_FORM, this.log)) this.entries.set(key.baseNamespace(), value)
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
    await this.datastore.put(new Key(`${PREFIX}/${id}`), KEYRING_FORM.encode(entry))
  }

  /** Keep what a presentity's answer to our subscribe says about our access: failed or pending decide nothing */
  async answered (presentity: PeerId, response: SubscribeResponse): Promise<void> {
    if (response.status === SubscribeResponse.Status.STATUS_OK) await this.update(presentity, { refused: false, key: response.viewKey })
    else if (response.status === SubscribeResponse.Status.STATUS_REFUSED) await this.update(presentity, { refused: true })
  }
}
