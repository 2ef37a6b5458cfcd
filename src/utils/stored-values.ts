/**
 * How stored values are read (design record 017). Each is a protons
 * message with a StoredForm: decoded, then checked, through one path, the
 * form an older version wrote read too and rewritten on first read. One
 * policy for a value that no longer reads (a disk error, an interrupted
 * write, a hand edit, a format from a newer version): log it, move the bytes
 * aside under CORRUPT_PREFIX, carry on with what still reads. Never a crash,
 * and never a silent delete: what was the user's can be looked at and
 * recovered (`pmesh` does not read it back on its own).
 */
import { Key, type Datastore } from 'interface-datastore'
import { equals, toString } from 'uint8arrays'
import { InvalidStoredValueError } from './errors.js'
import type { Logger } from '@libp2p/interface'

export { InvalidStoredValueError }

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
 * Reads every value under `prefix` through `form`; the ones that throw are
 * set aside and skipped, the ones in an older form are rewritten in the
 * current one
 */
export async function * readAll<T> (datastore: Datastore, prefix: string, form: StoredForm<T>, log: Pick<Logger, 'error'>): AsyncGenerator<{ key: Key, value: T }> {
  // collected first: moving or rewriting a value while the query iterates would change what it walks
  const unreadable: Array<{ key: Key, value: Uint8Array, err: unknown }> = []
  const upgraded: Array<{ key: Key, bytes: Uint8Array, value: T }> = []
  for await (const { key, value } of datastore.query({ prefix })) {
    let parsed: T
    try {
      parsed = form.decode(value, key)
    } catch (err) {
      unreadable.push({ key, value, err })
      continue
    }
    if (form.isOld(value)) upgraded.push({ key, bytes: value, value: parsed })
    yield { key, value: parsed }
  }
  for (const { key, value, err } of unreadable) await setAside(datastore, key, value, log, err)
  for (const { key, bytes, value } of upgraded) {
    // only what the caller left as it was: one it deleted (expired) or saved anew stays so
    if (await datastore.has(key) && equals(await datastore.get(key), bytes)) await datastore.put(key, form.encode(value))
  }
}

/**
 * Reads one value through `form`: undefined when absent, or when unreadable
 * (then set aside); one in an older form is rewritten in the current one
 */
export async function readOne<T> (datastore: Datastore, key: Key, form: StoredForm<T>, log: Pick<Logger, 'error'>): Promise<T | undefined> {
  if (!(await datastore.has(key))) return undefined
  const value = await datastore.get(key)
  let parsed: T
  try {
    parsed = form.decode(value, key)
  } catch (err) {
    await setAside(datastore, key, value, log, err)
    return undefined
  }
  if (form.isOld(value)) await datastore.put(key, form.encode(parsed))
  return parsed
}

/** How one kind of value is stored: its bytes, checked, and the form older versions wrote */
export interface StoredForm<T> {
  /** The value the bytes hold; throws InvalidStoredValueError for anything else */
  decode(bytes: Uint8Array, key: Key): T
  encode(value: T): Uint8Array
  /** Whether the bytes are in the form an older version wrote (rewritten on first read) */
  isOld(bytes: Uint8Array): boolean
}

export interface FormSpec<M, T> {
  codec: { encode(message: M): Uint8Array, decode(bytes: Uint8Array): M }
  /** The value a decoded message holds: throws when a field it needs is missing or out of range */
  check(message: M, key: Key): T
  toMessage(value: T): M
  /** The value the JSON an older version wrote holds; throws as `check` does */
  fromJson?(json: unknown, key: Key): T
  /** An older form that is not JSON: how to tell it (by bytes no current value starts with) and read it */
  fromOld?: { is(bytes: Uint8Array): boolean, read(bytes: Uint8Array, key: Key): T }
}

/**
 * '{' opens every JSON value older versions stored. As a protobuf tag it is
 * field 15 of the deprecated group type, which no stored message uses, so
 * the first byte tells the two forms apart.
 */
const JSON_OPEN = 0x7b

/** A protons message as a stored value: decoded, then checked, through one path */
export function storedForm<M, T> (spec: FormSpec<M, T>): StoredForm<T> {
  const isJson = (bytes: Uint8Array): boolean => spec.fromJson != null && bytes[0] === JSON_OPEN
  const isOld = (bytes: Uint8Array): boolean => isJson(bytes) || spec.fromOld?.is(bytes) === true
  return {
    decode (bytes, key) {
      try {
        if (isJson(bytes)) return spec.fromJson?.(JSON.parse(toString(bytes)), key) as T
        if (spec.fromOld?.is(bytes) === true) return spec.fromOld.read(bytes, key)
        return spec.check(spec.codec.decode(bytes), key)
      } catch (err) {
        if (err instanceof InvalidStoredValueError) throw err
        throw new InvalidStoredValueError(`not a valid ${key.toString()}: ${describe(err)}`)
      }
    },
    encode: value => spec.codec.encode(spec.toMessage(value)),
    isOld
  }
}

/** For `check`: throws InvalidStoredValueError with `what` unless `ok` */
export function need (ok: boolean, what: string): asserts ok {
  if (!ok) throw new InvalidStoredValueError(what)
}

/** A time in ms or a count: a safe whole number, not negative */
export function isCount (value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function describe (reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason)
}
