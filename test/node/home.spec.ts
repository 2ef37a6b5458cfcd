import assert from 'node:assert/strict'
import { stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ensureHome } from '../../src/node/home.js'
import { UnusableHomeError } from '../../src/node/errors.js'
import { tempDir } from '../helpers/temp.js'

describe('node home', function () {
  this.timeout(10_000)

  it('is created owner-only, with its missing parents', async () => {
    const dir = await tempDir()
    try {
      const home = await ensureHome(join(dir.path, 'a', 'b', 'home'))
      assert.equal((await stat(home.root)).mode & 0o777, 0o700)
      await ensureHome(home.root)
    } finally {
      await dir.remove()
    }
  })

  it('fails at once, naming the path, where no home can be (a file, /proc), rather than hang', async () => {
    const dir = await tempDir()
    try {
      const file = join(dir.path, 'a-file')
      await writeFile(file, 'x')
      await assert.rejects(ensureHome(file), (err: Error) => err instanceof UnusableHomeError && err.message.includes(file) && /not a directory/.test(err.message))
      await assert.rejects(ensureHome(join(file, 'below')), UnusableHomeError)
      // node's mkdir({ recursive: true }) never returned for this one
      await assert.rejects(ensureHome('/proc/presence-mesh-home'), (err: Error) => err instanceof UnusableHomeError && err.message.includes('/proc/presence-mesh-home'))
    } finally {
      await dir.remove()
    }
  })
})
