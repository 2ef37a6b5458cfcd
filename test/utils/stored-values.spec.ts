/**
 * The one corruption policy for stored values: unreadable ones are logged and
 * moved aside, intact ones still load, nothing throws and nothing is lost.
 */
import assert from 'node:assert/strict'
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { fromString, toString } from 'uint8arrays'
import { CORRUPT_PREFIX, InvalidStoredValueError, readAll, readOne, storedForm, type StoredForm } from '../../src/utils/stored-values.js'

function recorder (): { error: (...args: unknown[]) => void, lines: string[] } {
  const lines: string[] = []
  return { lines, error: (...args: unknown[]) => { lines.push(args.map(String).join(' ')) } }
}

async function aside (datastore: MemoryDatastore): Promise<Array<{ key: string, value: string }>> {
  const found = []
  for await (const { key, value } of datastore.query({ prefix: CORRUPT_PREFIX })) found.push({ key: key.toString(), value: toString(value) })
  return found
}

/** A form over JSON, for the policy alone: the stores' own forms are protons messages (stored-forms.spec.ts) */
function jsonForm<T> (read: (json: any) => T): StoredForm<T> {
  return { decode: bytes => read(JSON.parse(toString(bytes))), encode: value => fromString(JSON.stringify(value)), isOld: () => false }
}

describe('stored values that no longer read', () => {
  it('loads the intact entries and sets each unreadable one aside with its bytes, logged', async () => {
    const datastore = new MemoryDatastore()
    await datastore.put(new Key('/t/a'), fromString('{"n":1}'))
    await datastore.put(new Key('/t/b'), fromString('{"n":'))
    await datastore.put(new Key('/t/c'), fromString('{"n":3}'))
    const log = recorder()
    const loaded = []
    for await (const { key, value } of readAll(datastore, '/t', jsonForm(json => json.n as number), log)) loaded.push([key.toString(), value])
    assert.deepEqual(loaded, [['/t/a', 1], ['/t/c', 3]])
    assert.equal(await datastore.has(new Key('/t/b')), false, 'no longer read at each start')
    const kept = await aside(datastore)
    assert.equal(kept.length, 1)
    assert.equal(kept[0].value, '{"n":', 'the bytes are kept for the user')
    assert.match(kept[0].key, /\/t\/b$/, 'under a key that names where it was')
    assert.equal(log.lines.length, 1)
    assert.match(log.lines[0], /\/t\/b/)
  })

  it('reads one value, or undefined when absent or unreadable (then kept aside)', async () => {
    const datastore = new MemoryDatastore()
    const log = recorder()
    const parse = jsonForm(v => { if (typeof v !== 'string') throw new TypeError('not a string'); return v })
    assert.equal(await readOne(datastore, new Key('/one'), parse, log), undefined)
    await datastore.put(new Key('/one'), fromString('"ok"'))
    assert.equal(await readOne(datastore, new Key('/one'), parse, log), 'ok')
    await datastore.put(new Key('/one'), fromString('42'))
    assert.equal(await readOne(datastore, new Key('/one'), parse, log), undefined)
    assert.deepEqual((await aside(datastore)).map(a => a.value), ['42'])
    assert.match(log.lines[0], /not a string/)
  })
  it('rewrites a value in the older form in the current one on first read, and reads it the same after', async () => {
    // a stand-in codec: the current form is "v:<text>"; the older one, JSON
    const form = storedForm<string, string>({
      codec: { encode: text => fromString(`v:${text}`), decode: bytes => { const text = toString(bytes); if (!text.startsWith('v:')) throw new RangeError('no'); return text.slice(2) } },
      check: text => text,
      toMessage: text => text,
      fromJson: (json: any) => { if (typeof json?.text !== 'string') throw new TypeError('no text'); return json.text }
    })
    const datastore = new MemoryDatastore()
    const log = recorder()
    await datastore.put(new Key('/u/a'), fromString('{"text":"hello"}'))
    await datastore.put(new Key('/u/b'), fromString('v:there'))
    const loaded = []
    for await (const { value } of readAll(datastore, '/u', form, log)) loaded.push(value)
    assert.deepEqual(loaded, ['hello', 'there'])
    assert.equal(toString(await datastore.get(new Key('/u/a'))), 'v:hello')
    await datastore.put(new Key('/one'), fromString('{"text":"single"}'))
    assert.equal(await readOne(datastore, new Key('/one'), form, log), 'single')
    assert.equal(toString(await datastore.get(new Key('/one'))), 'v:single')
    assert.deepEqual(log.lines, [], 'an upgrade is no error')
    // what the reader deleted (an expired entry) or saved anew while reading is not rewritten over
    await datastore.put(new Key('/u/gone'), fromString('{"text":"expired"}'))
    await datastore.put(new Key('/u/saved'), fromString('{"text":"old"}'))
    for await (const { key } of readAll(datastore, '/u', form, log)) {
      if (key.toString() === '/u/gone') await datastore.delete(key)
      if (key.toString() === '/u/saved') await datastore.put(key, fromString('v:new'))
    }
    assert.equal(await datastore.has(new Key('/u/gone')), false)
    assert.equal(toString(await datastore.get(new Key('/u/saved'))), 'v:new')
    assert.throws(() => form.decode(fromString('{"text":1}'), new Key('/x')), InvalidStoredValueError)
    assert.throws(() => form.decode(fromString('junk'), new Key('/x')), InvalidStoredValueError)
  })
})
