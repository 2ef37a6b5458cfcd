/**
 * What the sleep tests (test/cli/recovery-*.spec.ts) share. A laptop that
 * sleeps, or loses its network, is a process that stops answering: SIGSTOP
 * freezes a real `pmesh start` process just so — its sockets stay open, it
 * answers no ping — and SIGCONT wakes it. Paused long enough, its
 * neighbours' connection monitors give up on it and close their
 * connections, as they would for a sleeping laptop. The nodes here ping
 * every PING_INTERVAL_S (config.json) rather than every 120 s, so that
 * "long enough" is seconds: a ping, its ≥ 5 s timeout, then the will. The
 * tests wait until the bootstrap node has closed its connection to the
 * sleeper, at most MAX_PAUSE_MS.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pmesh, pmeshStart, pmeshStream, type RunningNode, type StreamingCommand } from './cli.js'
import type { CliSession } from './cli-session.js'

const PING_INTERVAL_S = 4
const MAX_PAUSE_MS = 30_000
/** And at least this long: the presentity's push to the sleeper (5 s, src/presence/push.ts) and its retry time out */
export const MIN_PAUSE_MS = 10_000
/** A changed watcher list reaches the will holders within 2 s (src/presence/will-holders.ts); with room */
const WILL_LIST_MS = 3_000
/** "Within seconds" of waking up, with room for a loaded machine */
export const RECOVERY_MS = 15_000

export interface SleepMesh { a: string, b: string, c: string, nodeA: RunningNode, nodeC: RunningNode, uriA: string, uriC: string, watch: StreamingCommand }

/** Bootstrap node B; presentity A and watcher C join through it; C watches A */
export async function sleepMesh (session: CliSession): Promise<SleepMesh> {
  const [a, b, c] = await Promise.all([session.home(), session.home(), session.home()])
  await Promise.all([a, b, c].map(async home => writeFile(join(home, 'config.json'), JSON.stringify({ pingInterval: PING_INTERVAL_S }))))
  const nodeB = await pmeshStart(b)
  session.running.push(nodeB)
  const [nodeA, nodeC] = await Promise.all([pmeshStart(a, ['--bootstrap', nodeB.info.addresses[0]]), pmeshStart(c, ['--bootstrap', nodeB.info.addresses[0]])])
  session.running.push(nodeA, nodeC)
  const watch = pmeshStream(['watch', nodeA.info.uri, '--home', c, '--json', '--duration', '300'])
  session.streams.push(watch)
  await watch.waitForLine(l => JSON.parse(l).basic === 'open')
  // C watches A once A has registered it (the first notify may come from the DHT before that),
  // and A's will holder B knows C once A's next will reached it (sent at most every WILL_LIST_MS)
  const deadline = Date.now() + 30_000
  while (!(await pmesh(['watchers', '--home', a, '--json'])).stdout.includes(nodeC.info.peerId) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 250))
  await new Promise(resolve => setTimeout(resolve, WILL_LIST_MS))
  return { a, b, c, nodeA, nodeC, uriA: nodeA.info.uri, uriC: nodeC.info.uri, watch }
}

/** Sleep until `home`'s node has given up on its connection to `peerId` (it stopped answering pings) */
export async function untilDropped (home: string, peerId: string): Promise<void> {
  const deadline = Date.now() + MAX_PAUSE_MS
  while ((await pmesh(['peers', '--home', home, '--json'])).stdout.includes(peerId)) {
    if (Date.now() > deadline) throw new Error(`the neighbour kept its connection to the sleeper for ${MAX_PAUSE_MS} ms`)
    await new Promise(resolve => setTimeout(resolve, 500))
  }
}

export const fetchBasic = async (uri: string, home: string): Promise<string> => JSON.parse((await pmesh(['fetch', uri, '--home', home, '--json'])).stdout).basic
