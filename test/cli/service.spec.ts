/**
 * `pmesh service install`: a systemd user unit that starts the node at
 * login. Checked by systemd's own verifier where it is installed, and by
 * running the unit's command line as systemd would split it.
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { access, constants, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { PMESH } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

const run = promisify(execFile)

interface Result { code: number, stdout: string, stderr: string }

async function pmeshWith (env: NodeJS.ProcessEnv, args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [PMESH, ...args], { env: { ...process.env, ...env } })
    return { code: 0, stdout, stderr }
  } catch (err: any) {
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

/** ExecStart's words as systemd reads them: double-quoted words with \\ and \" escapes, %% and $$ */
function execStartWords (unit: string): string[] {
  const line = /^ExecStart=(.*)$/m.exec(unit)?.[1]
  assert.ok(line != null, 'the unit has an ExecStart')
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map(m => (m[1] ?? m[2]).replace(/\\(.)/g, '$1').replace(/%%/g, '%').replace(/\$\$/g, '$'))
}

async function hasSystemdAnalyze (): Promise<boolean> {
  return run('systemd-analyze', ['--version']).then(() => true, () => false)
}

describe('pmesh service', function () {
  this.timeout(60_000)
  let dir: { path: string, remove: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir('pmesh-service-') })
  afterEach(async () => { await dir.remove() })

  it('installs a user unit that starts the node of its home, which systemd accepts', async () => {
    const env = { XDG_CONFIG_HOME: join(dir.path, 'config') }
    // a home that needs quoting: a space, a systemd specifier and a variable
    const home = join(dir.path, 'my home %h $HOME')
    const installed = await pmeshWith(env, ['service', 'install', '--home', home])
    assert.equal(installed.code, 0, installed.stderr)
    const path = join(dir.path, 'config', 'systemd', 'user', 'pmesh.service')
    assert.match(installed.stdout, /systemctl --user enable --now pmesh\.service/)
    assert.ok(installed.stdout.includes(path))
    const unit = await readFile(path, 'utf8')
    assert.match(unit, /^WantedBy=default\.target$/m)

    const [launcher, ...args] = execStartWords(unit)
    assert.deepEqual(args, ['start', '--home', home])
    await access(launcher, constants.X_OK)
    if (await hasSystemdAnalyze()) {
      const verified = await run('systemd-analyze', ['verify', path]).then(r => ({ code: 0, stderr: r.stderr }), (err: any) => ({ code: err.code, stderr: err.stderr }))
      assert.equal(verified.code, 0, verified.stderr)
      assert.doesNotMatch(verified.stderr, /unknown|not executable|invalid|error/i)
    }

    // what systemd runs starts the node of that home, its settings from config.json
    await run('mkdir', ['-p', home])
    await writeFile(join(home, 'config.json'), JSON.stringify({ listen: ['/ip4/127.0.0.1/tcp/0'] }))
    const node = spawn(launcher, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      const lines = createInterface({ input: node.stdout })
      const ready = await new Promise<string>((resolve, reject) => {
        lines.on('line', line => { if (line.startsWith('home:')) resolve(line) })
        node.once('exit', code => reject(new Error(`the unit's command exited with ${code}`)))
      })
      assert.ok(ready.endsWith(home), ready)
    } finally {
      if (node.exitCode == null && node.signalCode == null) {
        const exited = new Promise(resolve => node.once('exit', resolve))
        node.kill('SIGTERM')
        await exited
      }
    }
  })

  it('leaves a different unit alone unless --force, and uninstalls', async () => {
    const env = { XDG_CONFIG_HOME: join(dir.path, 'config') }
    const path = join(dir.path, 'config', 'systemd', 'user', 'pmesh.service')
    assert.equal((await pmeshWith(env, ['service', 'install', '--home', join(dir.path, 'a')])).code, 0)
    const first = await readFile(path, 'utf8')
    // the same install again changes nothing and succeeds
    assert.equal((await pmeshWith(env, ['service', 'install', '--home', join(dir.path, 'a')])).code, 0)

    const other = await pmeshWith(env, ['service', 'install', '--home', join(dir.path, 'b')])
    assert.equal(other.code, 1)
    assert.match(other.stderr, /exists and differs.*--force/)
    assert.equal(await readFile(path, 'utf8'), first)

    assert.equal((await pmeshWith(env, ['service', 'install', '--home', join(dir.path, 'b'), '--force'])).code, 0)
    assert.ok((await readFile(path, 'utf8')).includes(join(dir.path, 'b')))

    const removed = await pmeshWith(env, ['service', 'uninstall'])
    assert.equal(removed.code, 0, removed.stderr)
    assert.match(removed.stdout, /systemctl --user disable --now pmesh\.service/)
    await assert.rejects(access(path))

    // desktop alerts go on the unit's command line, each option one word
    assert.equal((await pmeshWith(env, ['service', 'install', '--home', join(dir.path, 'b'), '--notify', '--on-message', '/usr/bin/logger -t "pmesh $1"', '--force'])).code, 0)
    assert.deepEqual(execStartWords(await readFile(path, 'utf8')).slice(1), ['start', '--home', join(dir.path, 'b'), '--notify', '--on-message', '/usr/bin/logger -t "pmesh $1"'])

    const wrong = await pmeshWith(env, ['service', 'enable'])
    assert.equal(wrong.code, 2)
    assert.match(wrong.stderr, /expected "install" or "uninstall"/)
  })
})
