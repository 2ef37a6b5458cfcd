import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DEFAULT_SETTINGS, mergeSettings, readConfigFile, validateSettings } from '../../src/node/config.js'
import { InvalidConfigError } from '../../src/node/errors.js'
import { tempDir } from '../helpers/temp.js'

describe('node settings', () => {
  it('layers defaults, then the config file, then flags', async () => {
    const dir = await tempDir()
    try {
      const path = join(dir.path, 'config.json')
      await writeFile(path, JSON.stringify({ listen: ['/ip4/127.0.0.1/tcp/4100'], relay: true, apiPort: 7000, pingInterval: 30 }))
      const file = await readConfigFile(path)
      const merged = mergeSettings(file, { apiPort: 7001 })
      assert.deepEqual(merged, { listen: ['/ip4/127.0.0.1/tcp/4100'], bootstrap: [], relay: true, apiPort: 7001, firewalled: false, private: false, pingInterval: 30 })
      assert.deepEqual(mergeSettings(await readConfigFile(join(dir.path, 'missing.json'))), DEFAULT_SETTINGS)
    } finally {
      await dir.remove()
    }
  })

  it('rejects bad files and settings with the file and setting named', async () => {
    const dir = await tempDir()
    try {
      const path = join(dir.path, 'config.json')
      await writeFile(path, '{ nope')
      await assert.rejects(readConfigFile(path), (err: Error) => err instanceof InvalidConfigError && err.message.includes(path))
    } finally {
      await dir.remove()
    }
    assert.throws(() => validateSettings({ listen: ['not-a-multiaddr'] }, 'x'), /not a multiaddr/)
    assert.throws(() => validateSettings({ bootstrap: ['/ip4/127.0.0.1/tcp/1'] }, 'x'), /must end with \/p2p/)
    assert.throws(() => validateSettings({ apiPort: 70000 }, 'x'), /port number/)
    assert.throws(() => validateSettings({ pingInterval: 0 }, 'x'), /"pingInterval" must be a whole number of seconds/)
    assert.throws(() => validateSettings({ relay: 'yes' }, 'x'), /true or false/)
    assert.throws(() => validateSettings({ firewalled: 1 }, 'x'), /"firewalled" must be true or false/)
    assert.throws(() => validateSettings({ colour: 'blue' }, 'x'), /unknown setting "colour"/)
    assert.throws(() => validateSettings([], 'x'), /JSON object/)
  })
})
