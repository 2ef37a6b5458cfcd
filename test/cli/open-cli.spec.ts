/**
 * `pmesh start` prints a sign-in link to the web app and `pmesh open` hands
 * a fresh one to the desktop's opener (xdg-open), or prints it where there
 * is none. Each link signs in once.
 */
import assert from 'node:assert/strict'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { pmesh, pmeshStart, stopProcess, type RunningNode } from '../helpers/cli.js'
import { tempDir, waitFor } from '../helpers/temp.js'

/** Trade a link's code for a session, as the browser would; the status says whether it worked */
async function follow (link: string): Promise<number> {
  const response = await fetch(link, { redirect: 'manual' })
  return response.status
}

describe('pmesh open', function () {
  this.timeout(60_000)
  let node: RunningNode | undefined
  let home: Awaited<ReturnType<typeof tempDir>>
  let bin: Awaited<ReturnType<typeof tempDir>>
  const path = process.env.PATH

  before(async () => {
    home = await tempDir()
    bin = await tempDir()
    node = await pmeshStart(home.path)
  })
  after(async () => {
    process.env.PATH = path
    await stopProcess(node)
    await home?.remove()
    await bin?.remove()
  })
  afterEach(() => { process.env.PATH = path })

  it('pmesh start prints a one-time link to the app, without the token', async () => {
    const info = node?.info as RunningNode['info'] & { app: string }
    assert.match(info.app, /^http:\/\/127\.0\.0\.1:\d+\/\?code=[\w-]+$/)
    const token = (await readFile(`${home.path}/api-token`, 'utf8')).trim()
    assert.ok(!info.app.includes(token))
    assert.equal(await follow(info.app), 303, 'the link signs in')
    assert.equal(await follow(info.app), 403, 'once')
  })

  it('prints a fresh link where there is no opener', async () => {
    process.env.PATH = bin.path
    const result = await pmesh(['open', '--home', home.path])
    assert.equal(result.code, 0, result.stderr)
    const link = result.stdout.split('\n')[0]
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/\?code=/)
    assert.match(result.stdout, /expires in 10 minutes/)
    assert.equal(await follow(link), 303)
  })

  it('hands the link to xdg-open where there is one', async function () {
    if (process.platform !== 'linux') this.skip()
    const opened = `${bin.path}/opened`
    await writeFile(`${bin.path}/xdg-open`, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`)
    await chmod(`${bin.path}/xdg-open`, 0o755)
    process.env.PATH = `${bin.path}:${path ?? ''}`
    const result = await pmesh(['open', '--home', home.path])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /opened the app in your browser/)
    assert.doesNotMatch(result.stdout, /code=/, 'the link is not printed when a browser got it')
    const link = await waitFor(async () => readFile(opened, 'utf8').then(text => text === '' ? undefined : text, () => undefined), 10_000, 'the opener to run')
    assert.equal(await follow(link), 303)
  })

  it('prints the link when the opener fails (no browser configured)', async function () {
    if (process.platform !== 'linux') this.skip()
    await writeFile(`${bin.path}/xdg-open`, '#!/bin/sh\necho "xdg-open: no method available for opening" >&2\nexit 3\n')
    await chmod(`${bin.path}/xdg-open`, 0o755)
    process.env.PATH = `${bin.path}:${path ?? ''}`
    const result = await pmesh(['open', '--home', home.path])
    assert.equal(result.code, 0, result.stderr)
    const link = result.stdout.split('\n')[0]
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/\?code=/)
    assert.equal(await follow(link), 303)
  })

  it('says no node is running rather than failing obscurely', async () => {
    const empty = await tempDir()
    try {
      const result = await pmesh(['open', '--print', '--home', empty.path])
      assert.equal(result.code, 1)
      assert.match(result.stderr, /No node is running/)
    } finally {
      await empty.remove()
    }
  })
})
