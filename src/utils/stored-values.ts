/**
 * One policy for a stored value that no longer reads (a disk error, an
 * interrupted write, a hand edit, a format from a newer version): log it,
 * move the bytes aside under CORRUPT_PREFIX, carry on with what still reads.
 * Never a crash, and never a silent delete: what was the user's can be
 * looked at and recovered (`pmesh` does not read it back on its own).
 */
import { Key, type Datastore } from 'interface-datastore'
import type { Logger } from '@libp2p/interface'

/** Where unreadable values go: `<prefix>/<ms since epoch>/<original key>` */
export const CORRUPT_PREFIX = '/presence-mesh/corrupt'

/** Atomically moves `value` from `key` to the corrupt area; resolves with where it went */
export async function setAside (datastore: Datastore, key: Key, value: Uint8Array, log: Pick<Logger, 'error'>, reason: unknown): Promise<Key> {
  const aside = new Key(`${CORRUPT_PREFIX}/${Date.now()}${key.toString()}`)
  log.error('the stored value %s is unreadable (%s); kept at %s', key.toString(), describe(reason), aside.toString())
  const batch = datastore.batch()
  batch.put(aside, value)
  batch.delete(key)
  await batch.commit()
  return aside
}

/**
 * Reads every value under `prefix` through `parse`; the ones that throw are
 * set aside and skipped
 */
export async function * readAll<T> (datastore: Datastore, prefix: string, parse: (value: Uint8Array, key: Key) => T, log: Pick<Logger, 'error'>): AsyncGenerator<{ key: Key, value: T }> {
  // collected first: moving a value while the query iterates would change what it walks
  const unreadable: Array<{ key: Key, value: Uint8Array, err: unknown }> = []
  for await (const { key, value } of datastore.query({ prefix })) {
    let parsed: T
    try {
      parsed = parse(value, key)
    } catch (err) {
      unreadable.push({ key, value, err })
      continue
    }
    yield { key, value: parsed }
  }
  for (const { key, value, err } of unreadable) await setAside(datastore, key, value, log, err)
}

/** Reads one value through `parse`: undefined when absent, or when unreadable (then set aside) */
export async function readOne<T> (datastore: Datastore, key: Key, parse: (value: Uint8Array) => T, log: Pick<Logger, 'error'>): Promise<T | undefined> {
  if (!(await datastore.has(key))) return undefined
  const value = await datastore.get(key)
  try {
    return parse(value)
  } catch (err) {
    await setAside(datastore, key, value, log, err)
    return undefined
  }
}

function describe (reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason)
}
