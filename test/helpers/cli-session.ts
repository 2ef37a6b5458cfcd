/**
 * What the CLI spec files share: fresh homes, `pmesh start` nodes and
 * streaming commands that are all gone after each test, so that a test
 * never sees another's node or home. Call it inside a `describe`: it
 * registers the afterEach that cleans up. The long CLI tests are spread over
 * several spec files (mocha runs a file in one worker; docs/design/018-test-speed.md)
 * and this keeps that setup in one place.
 */
import assert from 'node:assert/strict'
import { pmesh, pmeshStart, stopProcess, type RunningNode, type StreamingCommand } from './cli.js'
import { tempDir, waitFor } from './temp.js'

export interface CliSession {
  /** Nodes to SIGKILL after the test (SIGCONT first, in case one was left SIGSTOPped) */
  running: RunningNode[]
  /** Streaming commands to SIGKILL after the test */
  streams: StreamingCommand[]
  /** A fresh home, removed after the test */
  home(): Promise<string>
  /** `pmesh …` that must succeed; its stdout */
  run(args: string[], timeoutMs?: number): Promise<string>
}

export function cliSession (): CliSession {
  const running: RunningNode[] = []
  const streams: StreamingCommand[] = []
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = []
  afterEach(async () => {
    for (const node of running) if (node.child.exitCode == null && node.child.signalCode == null) node.child.kill('SIGCONT')
    for (const stream of streams.splice(0)) stream.child.kill('SIGKILL')
    await Promise.all(running.splice(0).map(async node => stopProcess(node, 'SIGKILL')))
    await Promise.all(dirs.splice(0).map(async dir => dir.remove()))
  })
  return {
    running,
    streams,
    home: async () => {
      const dir = await tempDir()
      dirs.push(dir)
      return dir.path
    },
    run: async (args, timeoutMs) => {
      const result = await pmesh(args, timeoutMs)
      assert.equal(result.code, 0, `pmesh ${args.join(' ')}: ${result.stderr}`)
      return result.stdout
    }
  }
}

/** `pmesh contacts --json` of a home */
export async function contactList (session: CliSession, home: string): Promise<any[]> {
  return JSON.parse(await session.run(['contacts', '--home', home, '--json']))
}

/** Alice invites, Bob accepts: each ends up in the other's list */
export async function friends (session: CliSession, extra: string[] = []): Promise<{ a: string, b: string, alice: RunningNode, bob: RunningNode }> {
  const [a, b] = await Promise.all([session.home(), session.home()])
  const [alice, bob] = await Promise.all([pmeshStart(a, extra), pmeshStart(b, extra)])
  session.running.push(alice, bob)
  const invite = (await session.run(['invite', '--name', 'Alice', '--home', a])).trim()
  assert.match(invite, /^pmesh:[1-9A-HJ-NP-Za-km-z]+$/)
  const added = await session.run(['contacts', 'add', invite, '--as', 'Bob', '--home', b])
  assert.match(added, /^added Alice \(pres:12D3Koo\w+\); you are in their contacts too/)
  await waitFor(async () => (await contactList(session, a)).some(c => c.name === 'Bob'), 10_000, 'Bob in Alice\'s list')
  return { a, b, alice, bob }
}

/** Presentity A and watcher C, each connected only to B */
export async function presenceLine (session: CliSession): Promise<{ a: string, b: string, c: string, nodeA: RunningNode, uriA: string }> {
  const [a, b, c] = await Promise.all([session.home(), session.home(), session.home()])
  const [nodeA, nodeB, nodeC] = await Promise.all([pmeshStart(a), pmeshStart(b), pmeshStart(c)])
  session.running.push(nodeA, nodeB, nodeC)
  await session.run(['connect', nodeB.info.addresses[0], '--home', a])
  await session.run(['connect', nodeB.info.addresses[0], '--home', c])
  return { a, b, c, nodeA, uriA: nodeA.info.uri }
}
