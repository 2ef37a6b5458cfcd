import assert from 'node:assert/strict'
import { pmesh, pmeshStart, pmeshStream, stopProcess, type RunningNode, type StreamingCommand } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

describe('pmesh presence commands', function () {
  this.timeout(90_000)
  const running: RunningNode[] = []
  const streams: StreamingCommand[] = []
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = []
  async function home (): Promise<string> {
    const dir = await tempDir()
    dirs.push(dir)
    return dir.path
  }
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.child.kill('SIGKILL')
    await Promise.all(running.splice(0).map(async node => stopProcess(node, 'SIGKILL')))
    await Promise.all(dirs.splice(0).map(async dir => dir.remove()))
  })

  /** Presentity A and watcher C, each connected only to B */
  async function line (): Promise<{ a: string, b: string, c: string, nodeA: RunningNode, uriA: string }> {
    const [a, b, c] = await Promise.all([home(), home(), home()])
    const [nodeA, nodeB, nodeC] = await Promise.all([pmeshStart(a), pmeshStart(b), pmeshStart(c)])
    running.push(nodeA, nodeB, nodeC)
    assert.equal((await pmesh(['connect', nodeB.info.addresses[0], '--home', a])).code, 0)
    assert.equal((await pmesh(['connect', nodeB.info.addresses[0], '--home', c])).code, 0)
    return { a, b, c, nodeA, uriA: nodeA.info.uri }
  }

  it('publishes a status that another node fetches, as JSON and as PIDF', async () => {
    const { a, c, uriA } = await line()
    const set = await pmesh(['status', 'set', 'busy', '--note', 'in a meeting', '--lang', 'en', '--email', 'alice@example.org', '--home', a, '--json'])
    assert.equal(set.code, 0, set.stderr)
    const fetched = await pmesh(['fetch', uriA, '--home', c, '--json'])
    assert.equal(fetched.code, 0, fetched.stderr)
    const view = JSON.parse(fetched.stdout)
    assert.equal(view.basic, 'open')
    assert.equal(view.availability, 'busy')
    assert.equal(view.note, 'in a meeting')
    assert.ok(typeof view.updated === 'string')
    const pidf = await pmesh(['fetch', uriA, '--home', c, '--format', 'pidf'])
    assert.match(pidf.stdout, /<basic>open<\/basic>/)
    assert.match(pidf.stdout, /<rpid:busy\/>/)
  })

  it('offline leaves no busy behind, and watching a presentity nobody knows says so rather than "granted"', async () => {
    const { a, c, uriA } = await line()
    assert.equal((await pmesh(['status', 'set', 'busy', '--home', a])).code, 0)
    assert.equal((await pmesh(['status', 'set', 'offline', '--home', a])).code, 0)
    const own = JSON.parse((await pmesh(['status', '--home', a, '--json'])).stdout)
    assert.deepEqual([own.basic, own.availability], ['closed', 'unknown'])

    const nobody = 'pres:12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBhVAWYKLy1VJDk'
    const watch = pmeshStream(['watch', nobody, uriA, '--home', c, '--duration', '60'])
    streams.push(watch)
    const stderr: string[] = []
    watch.child.stderr?.on('data', chunk => { stderr.push(String(chunk)) })
    await watch.waitForLine(line => line.includes(uriA))
    const said = stderr.join('')
    assert.match(said, new RegExp(`waiting for ${nobody}: nothing is known of it yet`))
    assert.match(said, new RegExp(`waiting for ${uriA} to come online`))
    assert.doesNotMatch(said, /granted/)
  })

  it('watch prints one JSON line per notify, and a SIGKILLed presentity shows closed within seconds', async () => {
    const { a, c, nodeA, uriA } = await line()
    const watch = pmeshStream(['watch', uriA, '--home', c, '--json', '--duration', '60'])
    streams.push(watch)
    await watch.waitForLine(l => JSON.parse(l).basic === 'open')
    assert.equal((await pmesh(['status', 'set', 'away', '--note', 'lunch', '--home', a])).code, 0)
    const away = JSON.parse(await watch.waitForLine(l => JSON.parse(l).availability === 'away'))
    assert.equal(away.target, uriA)
    assert.equal(away.note, 'lunch')

    const killedAt = Date.now()
    await stopProcess(nodeA, 'SIGKILL')
    const closed = JSON.parse(await watch.waitForLine(l => JSON.parse(l).basic === 'closed', 20_000))
    const detection = Date.now() - killedAt
    console.log(`      SIGKILL seen as closed after ${detection} ms`)
    assert.ok(detection < 10_000, `closed after ${detection} ms`)
    assert.equal(closed.note, 'lunch', 'the will keeps the last note')
    assert.ok(closed.lastSeen != null)
    // still closed for a fetch from the DHT
    const fetched = JSON.parse((await pmesh(['fetch', uriA, '--home', c, '--json'])).stdout)
    assert.equal(fetched.basic, 'closed')
  })

  it('fetches a stopped presentity from the DHT and lists subscriptions and watchers', async () => {
    const { a, c, nodeA, uriA } = await line()
    assert.equal((await pmesh(['status', 'set', 'dnd', '--note', 'focus', '--home', a])).code, 0)
    const watch = pmeshStream(['watch', uriA, '--home', c, '--json', '--duration', '60'])
    streams.push(watch)
    await watch.waitForLine(l => JSON.parse(l).availability === 'do-not-disturb')
    const subs = JSON.parse((await pmesh(['subscriptions', '--home', c, '--json'])).stdout)
    assert.equal(subs.length, 1)
    assert.equal(subs[0].target, uriA)
    const watchers = JSON.parse((await pmesh(['watchers', '--home', a, '--json'])).stdout)
    assert.equal(watchers.length, 1)

    assert.equal(await stopProcess(nodeA, 'SIGTERM'), 0)
    await watch.waitForLine(l => JSON.parse(l).basic === 'closed', 10_000)
    const offline = JSON.parse((await pmesh(['fetch', uriA, '--home', c, '--json'])).stdout)
    assert.equal(offline.basic, 'closed')
    assert.equal(offline.note, 'focus')
  })

  it('rejects bad presence input with clear errors', async () => {
    const a = await home()
    running.push(await pmeshStart(a))
    const cases: Array<[string[], number, RegExp]> = [
      [['status', 'set', 'sleepy', '--home', a], 2, /unknown state "sleepy"/],
      [['status', 'set', 'busy', '--email', 'not an email', '--home', a], 1, /email/i],
      [['fetch', 'pres:nobody@example.com', '--home', a], 1, /not a presence-mesh peer id/],
      [['fetch', 'nonsense', '--home', a], 1, /"nonsense" is neither an address .* nor the name of a contact/],
      [['fetch', 'pres:12D3KooWNvSZnPi3RrhrTwEY4LuuBeB6K6facKUCJcyWG1aoDd2p', '--home', a], 1, /No presence record found/],
      [['watch', '--home', a], 2, /Missing argument/],
      [['watch', 'pres:12D3KooWNvSZnPi3RrhrTwEY4LuuBeB6K6facKUCJcyWG1aoDd2p', '--duration', 'forever', '--home', a], 2, /--duration/]
    ]
    for (const [args, code, stderr] of cases) {
      const result = await pmesh(args)
      assert.equal(result.code, code, `pmesh ${args.join(' ')}: ${result.stderr}`)
      assert.match(result.stderr, stderr)
    }
  })
})
