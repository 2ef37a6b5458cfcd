import assert from 'node:assert/strict'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { IdentityKeyError } from '../../src/node/errors.js'
import { loadOrCreateIdentity } from '../../src/node/identity.js'
import { tempDir } from '../helpers/temp.js'

describe('identity key', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => dir.remove())

  it('is created once as an owner-only Ed25519 key and reused after', async () => {
    const path = join(dir.path, 'identity.key')
    const first = await loadOrCreateIdentity(path)
    assert.equal(first.type, 'Ed25519')
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    const again = await loadOrCreateIdentity(path)
    assert.ok(again.equals(first))
  })

  it('two starts racing agree on one identity', async () => {
    const path = join(dir.path, 'identity.key')
    const [a, b] = await Promise.all([loadOrCreateIdentity(path), loadOrCreateIdentity(path)])
    assert.ok(a.equals(b))
  })

  it('refuses a corrupt key file, names it, and leaves it untouched', async () => {
    const path = join(dir.path, 'identity.key')
    const garbage = new Uint8Array([8, 1, 18, 5, 1, 2, 3])
    await writeFile(path, garbage)
    await assert.rejects(loadOrCreateIdentity(path), (err: Error) => {
      assert.ok(err instanceof IdentityKeyError)
      assert.ok(err.message.includes(path))
      return true
    })
    assert.deepEqual(new Uint8Array(await readFile(path)), garbage)
  })

  it('refuses an unreadable key path', async () => {
    const path = join(dir.path, 'identity.key')
    await mkdir(path)
    await assert.rejects(loadOrCreateIdentity(path), (err: Error) => err instanceof IdentityKeyError && err.message.includes(path))
  })
})
