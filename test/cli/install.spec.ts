/**
 * The global install a user makes: `npm pack`, then `npm install -g` of the
 * tarball into a prefix, and the `pmesh` it links running on the bundled
 * Node although the first `node` on the PATH is the system's (Node 20 here,
 * which libp2p 3 refuses). Dependencies come from the npm registry (or npm's
 * cache): the test takes a minute or two.
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { tempDir } from '../helpers/temp.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
/** What a user's shell has: the system's directories only, not node_modules/.bin or the bundled Node */
const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin'

describe('global install from a packed tarball', function () {
  this.timeout(600_000)
  let dir: { path: string, remove: () => Promise<void> }

  before(async () => { dir = await tempDir('pmesh-install-') })
  after(async () => { await dir?.remove() })

  it('gives a pmesh command that starts a node and answers `pmesh id`, on the bundled Node', async () => {
    // dist/ is built before the tests run: packing need not build it again
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir.path], { cwd: ROOT })
    const tarball = (await readdir(dir.path)).find(name => /^presence-mesh-.*\.tgz$/.test(name))
    assert.ok(tarball != null, 'npm pack wrote a presence-mesh-*.tgz')
    const prefix = join(dir.path, 'prefix')
    await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(dir.path, tarball)], { cwd: dir.path, maxBuffer: 16 * 1024 * 1024 })

    const pmesh = join(prefix, 'bin', 'pmesh')
    const env = { ...process.env, PATH: SYSTEM_PATH }
    const home = join(dir.path, 'home')
    const node = spawn(pmesh, ['start', '--home', home, '--listen', '/ip4/127.0.0.1/tcp/0', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    node.stderr.on('data', chunk => { stderr += chunk })
    try {
      const exited = new Promise<never>((_resolve, reject) => node.once('exit', code => reject(new Error(`pmesh start exited with ${code}: ${stderr}`))))
      const line = await Promise.race([new Promise<string>(resolve => createInterface({ input: node.stdout }).once('line', resolve)), exited])
      const started = JSON.parse(line)
      const { stdout } = await run(pmesh, ['id', '--home', home, '--json'], { env })
      assert.equal(JSON.parse(stdout).peerId, started.peerId)
      // on the Node that came with it, whatever the system's is
      const { stdout: version } = await run(pmesh, ['--version'], { env })
      assert.match(version, /^pmesh \d+\.\d+\.\d+ \(Node\.js v(\d+)/)
      assert.ok(Number(/Node\.js v(\d+)/.exec(version)?.[1]) >= 22, version)
      assert.ok(version.includes(prefix), `${version} names the installed package`)
    } finally {
      node.kill('SIGTERM')
    }
  })
})
