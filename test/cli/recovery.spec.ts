import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pmesh, pmeshStart, pmeshStream, stopProcess, type RunningNode, type StreamingCommand } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

/**
 * A laptop that sleeps, or loses its network, is a process that stops
 * answering: SIGSTOP freezes a real `pmesh start` process just so — its
 * sockets stay open, it answers no ping — and SIGCONT wakes it. Paused long
 * enough, its neighbours' connection monitors give up on it and close their
 * connections, as they would for a sleeping laptop. The nodes here ping
 * every PING_INTERVAL_S (config.json) rather than every 120 s, so that
 * "long enough" is seconds: a ping, its ≥ 5 s timeout, then the will. The
 * test waits until the bootstrap node has closed its connection to the
 * sleeper, at most MAX_PAUSE_MS.
 */
const PING_INTERVAL_S = 4
const MAX_PAUSE_MS = 30_000
/** And at least this long: the presentity's push to the sleeper (5 s, src/presence/push.ts) and its retry time out */
const MIN_PAUSE_MS = 10_000
/** A changed watcher list reaches the will holders within 2 s (src/presence/will-holders.ts); with room */
const WILL_LIST_MS = 3_000
/** "Within seconds" of waking up, with room for a loaded machine */
const RECOVERY_MS = 15_000

describe('presence after a node sleeps (SIGSTOP / SIGCONT)', function () {
  this.timeout(120_000)
  const running: RunningNode[] = []
  const streams: StreamingCommand[] = []
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = []
  afterEach(async () => {
    for (const node of running) if (node.child.exitCode == null) node.child.kill('SIGCONT')
    for (const stream of streams.splice(0)) stream.child.kill('SIGKILL')
    await Promise.all(running.splice(0).map(async node => stopProcess(node, 'SIGKILL')))
    await Promise.all(dirs.splice(0).map(async dir => dir.remove()))
  })

  /** Bootstrap node B; presentity A and watcher C join through it; C watches A */
  async function mesh (): Promise<{ a: string, b: string, c: string, nodeA: RunningNode, nodeC: RunningNode, uriA: string, uriC: string, watch: StreamingCommand }> {
    const [a, b, c] = await Promise.all([tempDir(), tempDir(), tempDir()])
    dirs.push(a, b, c)
    await Promise.all([a, b, c].map(async dir => writeFile(join(dir.path, 'config.json'), JSON.stringify({ pingInterval: PING_INTERVAL_S }))))
    const nodeB = await pmeshStart(b.path)
    running.push(nodeB)
    const [nodeA, nodeC] = await Promise.all([pmeshStart(a.path, ['--bootstrap', nodeB.info.addresses[0]]), pmeshStart(c.path, ['--bootstrap', nodeB.info.addresses[0]])])
    running.push(nodeA, nodeC)
    const watch = pmeshStream(['watch', nodeA.info.uri, '--home', c.path, '--json', '--duration', '300'])
    streams.push(watch)
    await watch.waitForLine(l => JSON.parse(l).basic === 'open')
    // C watches A once A has registered it (the first notify may come from the DHT before that),
    // and A's will holder B knows C once A's next will reached it (sent at most every WILL_LIST_MS)
    const deadline = Date.now() + 30_000
    while (!(await pmesh(['watchers', '--home', a.path, '--json'])).stdout.includes(nodeC.info.peerId) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 250))
    await new Promise(resolve => setTimeout(resolve, WILL_LIST_MS))
    return { a: a.path, b: b.path, c: c.path, nodeA, nodeC, uriA: nodeA.info.uri, uriC: nodeC.info.uri, watch }
  }

  /** Sleep until `home`'s node has given up on its connection to `peerId` (it stopped answering pings) */
  async function untilDropped (home: string, peerId: string): Promise<void> {
    const deadline = Date.now() + MAX_PAUSE_MS
    while ((await pmesh(['peers', '--home', home, '--json'])).stdout.includes(peerId)) {
      if (Date.now() > deadline) throw new Error(`the neighbour kept its connection to the sleeper for ${MAX_PAUSE_MS} ms`)
      await new Promise(resolve => setTimeout(resolve, 500))
    }
  }

  const fetchBasic = async (uri: string, home: string): Promise<string> => JSON.parse((await pmesh(['fetch', uri, '--home', home, '--json'])).stdout).basic

  it('a watcher that slept sees the change it slept through, and is open again for others', async () => {
    const { a, b, c, nodeC, uriA, uriC, watch } = await mesh()
    const sleptAt = Date.now()
    nodeC.child.kill('SIGSTOP')
    assert.equal((await pmesh(['status', 'set', 'away', '--note', 'lunch', '--home', a])).code, 0)
    await untilDropped(b, nodeC.info.peerId)
    console.log(`      the neighbour gave up on the sleeping watcher ${Date.now() - sleptAt} ms after SIGSTOP`)
    await new Promise(resolve => setTimeout(resolve, Math.max(0, sleptAt + MIN_PAUSE_MS - Date.now())))
    const wokeAt = Date.now()
    nodeC.child.kill('SIGCONT')
    const away = JSON.parse(await watch.waitForLine(l => JSON.parse(l).availability === 'away', RECOVERY_MS))
    console.log(`      the watcher saw the change ${Date.now() - wokeAt} ms after waking`)
    assert.equal(away.note, 'lunch')
    assert.equal(away.basic, 'open')
    // its neighbours may have published its will while it slept: the others must see it open again
    const deadline = Date.now() + RECOVERY_MS
    while (await fetchBasic(uriC, a) !== 'open' && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 500))
    assert.equal(await fetchBasic(uriC, a), 'open', 'the presentity sees the watcher open again')
    assert.equal(await fetchBasic(uriA, c), 'open')
  })

  it('a presentity declared closed while it slept is seen open again soon after it wakes', async () => {
    const { c, nodeA, uriA, watch } = await mesh()
    // only what is printed from here on counts (a loaded machine may have flapped it already)
    const after = (from: number, basic: string): ((l: string) => boolean) => (l: string) => watch.lines.indexOf(l) >= from && JSON.parse(l).basic === basic
    const stoppedAt = Date.now()
    const stopLines = watch.lines.length
    nodeA.child.kill('SIGSTOP')
    // its neighbours stop hearing from it, give up on the connection and publish its will
    await watch.waitForLine(after(stopLines, 'closed'), 45_000)
    console.log(`      the sleeping presentity was seen closed ${Date.now() - stoppedAt} ms after SIGSTOP`)
    const closedLines = watch.lines.length
    const wokeAt = Date.now()
    nodeA.child.kill('SIGCONT')
    await watch.waitForLine(after(closedLines, 'open'), RECOVERY_MS)
    console.log(`      seen open again ${Date.now() - wokeAt} ms after waking`)
    // and the DHT, where a watcher who subscribes later looks, says so too
    const deadline = Date.now() + RECOVERY_MS
    while (await fetchBasic(uriA, c) !== 'open' && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 500))
    assert.equal(await fetchBasic(uriA, c), 'open')
  })
})
