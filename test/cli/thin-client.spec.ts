/**
 * A client command is a thin client: it loads the command it runs and the
 * API client, never libp2p or the key code (which take most of a second to
 * load), so it answers about as fast as Node starts. What each command loads
 * is read from a module-loading hook in the child process; the time is only
 * bounded generously here (npm run bench measures it).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { PMESH, pmeshStart, stopProcess, type RunningNode } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

const run = promisify(execFile)
/** Packages a thin client must not load */
const HEAVY = /node_modules\/(libp2p|@libp2p\/[^/]+|@chainsafe\/[^/]+|@noble\/[^/]+|datastore-level|classic-level|@xmldom\/xmldom|valibot)\//
/** Spawn → exit of a client command on a loaded 2-core machine; about 0.1 s unloaded */
const GENEROUS_MS = 5_000

/** The bundle's metafile (scripts/build-cli.ts): the modules in each chunk of dist/cli */
const METAFILE = new URL('../../cli.metafile.json', import.meta.url)

/** The modules behind the files a process loaded: a chunk of the bundle stands for the modules in it */
async function modulesIn (urls: string[]): Promise<string[]> {
  const { outputs } = JSON.parse(await readFile(METAFILE, 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> }
  const root = fileURLToPath(new URL('../../../', import.meta.url))
  return urls.flatMap(url => {
    const chunk = url.startsWith('file:') ? outputs[fileURLToPath(url).slice(root.length)] : undefined
    return chunk == null ? [url] : Object.keys(chunk.inputs)
  })
}

const HOOK = `import { registerHooks } from 'node:module'
import { writeFileSync } from 'node:fs'
const loaded = []
registerHooks({ load (url, context, next) { loaded.push(url); return next(url, context) } })
process.on('exit', () => { writeFileSync(process.env.PMESH_TEST_LOADED, loaded.join('\\n')) })
`

describe('client commands load no libp2p', function () {
  this.timeout(60_000)
  let dir: { path: string, remove: () => Promise<void> }
  let node: RunningNode | undefined
  before(async () => {
    dir = await tempDir('pmesh-thin-')
    await writeFile(join(dir.path, 'hook.mjs'), HOOK)
    node = await pmeshStart(join(dir.path, 'home'))
  })
  after(async () => {
    await stopProcess(node)
    await dir?.remove()
  })

  /** Run one command with the hook; what it loaded and how long it took */
  async function traced (args: string[]): Promise<{ stdout: string, loaded: string[], ms: number }> {
    const record = join(dir.path, 'loaded.txt')
    const t0 = performance.now()
    const { stdout } = await run(process.execPath, ['--import', join(dir.path, 'hook.mjs'), PMESH, ...args, '--home', join(dir.path, 'home')], { env: { ...process.env, PMESH_TEST_LOADED: record } })
    const ms = performance.now() - t0
    return { stdout, loaded: await modulesIn((await readFile(record, 'utf8')).split('\n')), ms }
  }

  for (const args of [['id', '--json'], ['status', '--json'], ['status', 'set', 'busy', '--note', 'thin'], ['peers'], ['inbox', 'policy']]) {
    it(`pmesh ${args.join(' ')} answers without loading libp2p, crypto or the API schemas`, async () => {
      const { loaded, stdout } = await traced(args)
      assert.ok(stdout.length > 0, 'it answered')
      assert.deepEqual(loaded.filter(url => HEAVY.test(url)), [])
      assert.ok(loaded.length < 80, `${loaded.length} modules loaded`)
    })
  }

  it('pmesh id answers with the node\'s identity, well within a generous bound', async () => {
    const times: number[] = []
    for (let i = 0; i < 3; i++) {
      const { stdout, ms } = await traced(['id', '--json'])
      assert.equal(JSON.parse(stdout).peerId, node?.info.peerId)
      times.push(ms)
    }
    const median = times.sort((a, b) => a - b)[1]
    assert.ok(median < GENEROUS_MS, `median ${Math.round(median)} ms`)
  })

  it('pmesh start loads the API\'s route families only when a request needs one', async () => {
    const record = join(dir.path, 'start-loaded.txt')
    await writeFile(join(dir.path, 'append-hook.mjs'), `import { registerHooks } from 'node:module'
import { appendFileSync } from 'node:fs'
registerHooks({ load (url, context, next) { appendFileSync(${JSON.stringify(record)}, url + '\\n'); return next(url, context) } })
`)
    const options = process.env.NODE_OPTIONS
    // spawned at once by pmeshStart, so the variable is back before any other process starts
    process.env.NODE_OPTIONS = `${options ?? ''} --import ${join(dir.path, 'append-hook.mjs')}`
    const starting = pmeshStart(join(dir.path, 'home-lazy'))
    if (options == null) delete process.env.NODE_OPTIONS
    else process.env.NODE_OPTIONS = options
    const started = await starting
    try {
      const families = async (): Promise<string[]> => (await modulesIn((await readFile(record, 'utf8')).split('\n'))).filter(m => /src\/api\/[a-z]+-routes\.ts$/.test(m))
      assert.deepEqual(await families(), [])
      await run(process.execPath, [PMESH, 'peers', '--home', join(dir.path, 'home-lazy')])
      assert.deepEqual(await families(), ['src/api/node-routes.ts'])
    } finally {
      await stopProcess(started)
    }
  })

  it('a command taking a URI still checks it before asking the node', async () => {
    await assert.rejects(traced(['fetch', 'pres:not-a-peer']), (err: any) => {
      assert.equal(err.code, 1)
      assert.match(err.stderr, /pmesh fetch: "not-a-peer" in "pres:not-a-peer" is neither a peer id nor a mailbox/)
      return true
    })
  })
})
