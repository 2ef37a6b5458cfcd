/**
 * `pmesh start --on-message CMD --notify`: a new message or presence request
 * runs the user's program and notify-send (a stand-in on the PATH here, as
 * the real one needs a desktop session), with a stranger's text passed as
 * data, never as shell, options or markup.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { access, chmod, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { PMESH, pmesh, pmeshStart, pmeshStream, stopProcess, type RunningNode } from '../helpers/cli.js'
import { tempDir, waitFor } from '../helpers/temp.js'

/** Appends what it was started with, one JSON line, to $DESKTOP_LOG */
const RECORDER = `import { appendFileSync } from 'node:fs'
appendFileSync(process.env.DESKTOP_LOG, JSON.stringify({ argv: process.argv.slice(2), event: process.env.PMESH_EVENT, from: process.env.PMESH_FROM, summary: process.env.PMESH_SUMMARY, id: process.env.PMESH_MESSAGE_ID }) + '\\n')
`
const FAKE_NOTIFY_SEND = `#!/bin/sh
exec "${process.execPath}" -e 'require("fs").appendFileSync(process.env.NOTIFY_LOG, JSON.stringify(process.argv.slice(1)) + "\\n")' -- "$@"
`

async function lines (path: string): Promise<any[]> {
  const text = await readFile(path, 'utf8').catch(() => '')
  return text.split('\n').filter(line => line !== '').map(line => JSON.parse(line))
}

describe('pmesh start --on-message / --notify', function () {
  this.timeout(120_000)
  let dir: { path: string, remove: () => Promise<void> }
  const running: RunningNode[] = []
  beforeEach(async () => { dir = await tempDir('pmesh-desktop-') })
  afterEach(async () => {
    await Promise.all(running.splice(0).map(async node => stopProcess(node)))
    await dir.remove()
  })

  /** `pmesh start` with the recorder as --on-message, the stand-in notify-send first on the PATH */
  async function startWatched (home: string): Promise<RunningNode> {
    await writeFile(join(dir.path, 'recorder.mjs'), RECORDER)
    await writeFile(join(dir.path, 'notify-send'), FAKE_NOTIFY_SEND)
    await chmod(join(dir.path, 'notify-send'), 0o755)
    const env = { ...process.env, PATH: `${dir.path}:${process.env.PATH ?? ''}`, DESKTOP_LOG: join(dir.path, 'hook.log'), NOTIFY_LOG: join(dir.path, 'notify.log') }
    const child = spawn(process.execPath, [PMESH, 'start', '--home', home, '--listen', '/ip4/127.0.0.1/tcp/0', '--json',
      '--on-message', `${process.execPath} ${join(dir.path, 'recorder.mjs')} --first-arg`, '--notify'], { env, stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
    const line = await Promise.race([
      new Promise<string>(resolve => createInterface({ input: child.stdout }).once('line', resolve)),
      exited.then(code => { throw new Error(`pmesh start exited with ${code}`) })
    ])
    const node = { child, info: JSON.parse(line), exited }
    running.push(node)
    return node
  }

  it('runs the program and notify-send for a message, its text as data only', async () => {
    const alice = await startWatched(join(dir.path, 'alice'))
    const bob = await pmeshStart(join(dir.path, 'bob'))
    running.push(bob)
    assert.equal((await pmesh(['connect', alice.info.addresses[0], '--home', join(dir.path, 'bob')])).code, 0)
    const hostile = `$(touch ${join(dir.path, 'pwned')}); \`touch ${join(dir.path, 'pwned')}\`\n-rf <b>bold</b> & more`
    const sent = await pmesh(['send', alice.info.uri.replace('pres:', 'im:'), hostile, '--subject', 'hi', '--home', join(dir.path, 'bob'), '--json'])
    assert.equal(sent.code, 0, sent.stderr)
    const id = JSON.parse(sent.stdout).id

    const [hook] = await waitFor(async () => { const l = await lines(join(dir.path, 'hook.log')); return l.length > 0 ? l : undefined }, 20_000, 'the program to run')
    const summary = `hi: $(touch ${join(dir.path, 'pwned')}); \`touch ${join(dir.path, 'pwned')}\` -rf <b>bold</b> & more`
    assert.deepEqual(hook.argv, ['--first-arg', `im:${bob.info.peerId}`, summary])
    assert.equal(hook.event, 'message')
    assert.equal(hook.from, `im:${bob.info.peerId}`)
    assert.equal(hook.summary, summary)
    assert.equal(hook.id, id)

    const [notified] = await waitFor(async () => { const l = await lines(join(dir.path, 'notify.log')); return l.length > 0 ? l : undefined }, 20_000, 'notify-send')
    assert.equal(notified[0], '--app-name=pmesh')
    assert.equal(notified[1], '--')
    assert.match(notified[2], /^Message from im:12D3KooW.{3}….{6}$/)
    assert.equal(notified[3], summary.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'))
    await assert.rejects(access(join(dir.path, 'pwned')), 'no shell ran the text')
  })

  it('runs the program for a request to watch', async () => {
    const alice = await startWatched(join(dir.path, 'alice'))
    assert.equal((await pmesh(['policy', 'set', '--default', 'ask', '--home', join(dir.path, 'alice')])).code, 0)
    const bob = await pmeshStart(join(dir.path, 'bob'))
    running.push(bob)
    assert.equal((await pmesh(['connect', alice.info.addresses[0], '--home', join(dir.path, 'bob')])).code, 0)
    const watch = pmeshStream(['watch', alice.info.uri, '--duration', '60', '--home', join(dir.path, 'bob')])
    try {
      const hooks = await waitFor(async () => (await lines(join(dir.path, 'hook.log'))).find(h => h.event === 'request'), 20_000, 'a request')
      assert.equal(hooks.from, `pres:${bob.info.peerId}`)
      assert.match(hooks.summary, /asks to see your presence/)
    } finally {
      watch.child.kill('SIGTERM')
      await watch.exited
    }
  })

  it('refuses a program that cannot run, before starting the node', async () => {
    const result = await pmesh(['start', '--home', join(dir.path, 'carol'), '--on-message', join(dir.path, 'no-such-program')])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /--on-message: ".*no-such-program" is not a program that can run/)
    await assert.rejects(access(join(dir.path, 'carol', 'identity.key')), 'no node was started')
  })
})
