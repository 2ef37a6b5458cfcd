/**
 * The presentity's content keys, one per sealed view, persisted so that
 * watchers' keys stay valid across restarts. Rotating a view's key (a new
 * key id and key) shuts out everyone who held the old one from every record
 * published afterwards; granted watchers fetch the new key when they see a
 * record sealed under a key id they do not hold.
 */
import { randomInt } from 'node:crypto'
import { Key, type Datastore } from 'interface-datastore'
import { fromString, toString } from 'uint8arrays'
import { newViewKey, sealView, type SealedViewName, type ViewKey } from './views.js'
import type { PresenceRecord, SealedView } from '../record.js'

const KEYS_KEY = new Key('/presence-mesh/access/view-keys')

export class ViewKeys {
  private readonly datastore: Datastore
  private keys = new Map<SealedViewName, ViewKey>()

  constructor (datastore: Datastore) {
    this.datastore = datastore
  }

  async load (): Promise<void> {
    if (!(await this.datastore.has(KEYS_KEY))) return
    const stored: Record<string, { keyId: string, key: string }> = JSON.parse(toString(await this.datastore.get(KEYS_KEY)))
    this.keys = new Map(Object.entries(stored).map(([view, { keyId, key }]) => [view as SealedViewName, { keyId: fromString(keyId, 'base64'), key: fromString(key, 'base64') }]))
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
    const stored = Object.fromEntries([...this.keys].map(([view, { keyId, key }]) => [view, { keyId: toString(keyId, 'base64'), key: toString(key, 'base64') }]))
    await this.datastore.put(KEYS_KEY, fromString(JSON.stringify(stored)))
  }
}
