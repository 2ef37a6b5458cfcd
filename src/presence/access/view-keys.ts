/**
 * The presentity's content keys, one per sealed view, persisted so that
 * watchers' keys stay valid across restarts. Rotating a view's key (a new
 * key id and key) shuts out everyone who held the old one from every record
 * published afterwards; granted watchers fetch the new key when they see a
 * record sealed under a key id they do not hold.
 */
import { randomInt } from 'node:crypto'
import { Key, type Datastore } from 'interface-datastore'
import { fromString } from 'uint8arrays'
import { StoredViewKeys } from '../pb/stored.js'
import { isSealedViewName, newViewKey, sealView, VIEW_KEY_ID_BYTES, VIEW_KEY_BYTES, type SealedViewName, type ViewKey } from './views.js'
import { need, readOne, storedForm } from '../../utils/stored-values.js'
import type { PresenceRecord, SealedView } from '../record.js'
import type { Logger } from '@libp2p/interface'

const KEYS_KEY = new Key('/presence-mesh/access/view-keys')

/** A key of the length newViewKey makes: a shorter one would seal with a weaker cipher key, or throw */
export function checkViewKey (keyId: Uint8Array, key: Uint8Array): ViewKey {
  need(keyId.length === VIEW_KEY_ID_BYTES && key.length === VIEW_KEY_BYTES, 'a view key of the wrong length')
  return { keyId, key }
}

function keysOf (entries: Iterable<[string, { keyId: Uint8Array, key: Uint8Array }]>): Map<SealedViewName, ViewKey> {
  const keys = new Map<SealedViewName, ViewKey>()
  for (const [view, { keyId, key }] of entries) {
    need(isSealedViewName(view), `a key for the unknown view "${view}"`)
    keys.set(view, checkViewKey(keyId, key))
  }
  return keys
}

/** The keys of every sealed view; older versions wrote them as JSON with base64 strings */
export const VIEW_KEYS_FORM = storedForm<StoredViewKeys, Map<SealedViewName, ViewKey>>({
  codec: StoredViewKeys,
  check: message => keysOf(message.keys),
  toMessage: keys => ({ keys: new Map([...keys].map(([view, { keyId, key }]) => [view, { keyId: new Uint8Array(keyId), key: new Uint8Array(key) }])) }),
  fromJson: (json: any) => {
    need(typeof json === 'object' && json != null && !Array.isArray(json), 'not a table')
    return keysOf(Object.entries(json).map(([view, value]: [string, any]) => {
      need(typeof value?.keyId === 'string' && typeof value.key === 'string', 'a key without its id or bytes')
      return [view, { keyId: fromString(value.keyId, 'base64'), key: fromString(value.key, 'base64') }]
    }))
  }
})

export class ViewKeys {
  private readonly datastore: Datastore
  private readonly log: Pick<Logger, 'error'>
  private keys = new Map<SealedViewName, ViewKey>()

  constructor (datastore: Datastore, log: Pick<Logger, 'error'>) {
    this.datastore = datastore
    this.log = log
  }

  /**
   * Keys that do not read are set aside: each view gets a new key on first
   * use, so granted watchers ask again, as after a rotation
   */
  async load (): Promise<void> {
    this.keys = await readOne(this.datastore, KEYS_KEY, VIEW_KEYS_FORM, this.log) ?? new Map()
  }

  /** The view's current key, created on first use */
  async keyFor (view: SealedViewName): Promise<ViewKey> {
    const existing = this.keys.get(view)
    if (existing != null) return existing
    return this.rotate(view)
  }

  /** A new key for the view: holders of the old one read nothing published after */
  async rotate (view: SealedViewName): Promise<ViewKey> {
    const key = newViewKey()
    this.keys.set(view, key)
    await this.save()
    return key
  }

  /**
   * `record` sealed once per view, in random order: a stranger must not tell
   * which sealed view is which from its position.
   */
  async seal (record: PresenceRecord, views: SealedViewName[]): Promise<SealedView[]> {
    const sealed: SealedView[] = []
    for (const view of views) sealed.push(sealView(record, view, await this.keyFor(view)))
    for (let i = sealed.length - 1; i > 0; i--) {
      const j = randomInt(i + 1)
      ;[sealed[i], sealed[j]] = [sealed[j], sealed[i]]
    }
    return sealed
  }

  private async save (): Promise<void> {
    await this.datastore.put(KEYS_KEY, VIEW_KEYS_FORM.encode(this.keys))
  }
}
