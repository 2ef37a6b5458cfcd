import assert from 'node:assert/strict'
import { access, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pmesh, pmeshStart, stopProcess, type RunningNode } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

describe('pmesh command line', function () {
  this.timeout(60_000)
  const running: RunningNode[] = []
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = []
  async function home (): Promise<string> {
    const dir = await tempDir()
    dirs.push(dir)
    return dir.path
  }
  afterEach(async () => {
    await Promise.all(running.splice(0).map(async node => stopProcess(node, 'SIGKILL')))
    await Promise.all(dirs.splice(0).map(async dir => dir.remove()))
  })

  it('starts a node that other pmesh commands reach through --home', async () => {
    const a = await home()
    const node = await pmeshStart(a)
    running.push(node)
    assert.match(node.info.uri, /^pres:12D3KooW/)
    assert.match(node.info.api, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.match(node.info.addresses[0], /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)

    const id = await pmesh(['id', '--home', a, '--json'])
    assert.equal(id.code, 0, id.stderr)
    const me = JSON.parse(id.stdout)
    assert.deepEqual(Object.keys(me).filter(k => ['peerId', 'uri', 'addresses'].includes(k)).sort(), ['addresses', 'peerId', 'uri'])
    assert.equal(me.peerId, node.info.peerId)

    const text = await pmesh(['id', '--home', a])
    assert.equal(text.code, 0)
    assert.match(text.stdout, /uri:\s+pres:12D3KooW/)
  })

  it('connects two nodes and lists the peer', async () => {
    const [a, b] = await Promise.all([home(), home()])
    const [nodeA, nodeB] = await Promise.all([pmeshStart(a), pmeshStart(b)])
    running.push(nodeA, nodeB)
    const connected = await pmesh(['connect', nodeB.info.addresses[0], '--home', a])
    assert.equal(connected.code, 0, connected.stderr)
    assert.match(connected.stdout, new RegExp(`connected to ${nodeB.info.peerId}`))
    const peers = await pmesh(['peers', '--home', b, '--json'])
    assert.ok(JSON.parse(peers.stdout).some((p: { peerId: string }) => p.peerId === nodeA.info.peerId))
  })

  it('stops cleanly within 2 s on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const a = await home()
      const node = await pmeshStart(a)
      const started = Date.now()
      const code = await stopProcess(node, signal, 10_000)
      assert.equal(code, 0)
      assert.ok(Date.now() - started < 2_000, `${signal} stop took ${Date.now() - started} ms`)
      await assert.rejects(access(join(a, 'api.json')), 'the endpoint file is removed')
      const after = await pmesh(['id', '--home', a])
      assert.equal(after.code, 1)
      assert.match(after.stderr, /No node is running/)
    }
  })

  it('survives SIGKILL: the restarted node has the same identity and a working API', async () => {
    const a = await home()
    const first = await pmeshStart(a)
    await stopProcess(first, 'SIGKILL')
    const second = await pmeshStart(a)
    running.push(second)
    assert.equal(second.info.peerId, first.info.peerId)
    const id = await pmesh(['id', '--home', a, '--json'])
    assert.equal(JSON.parse(id.stdout).peerId, first.info.peerId)
  })

  it('refuses a corrupt identity key, names the file and keeps it', async () => {
    const a = await home()
    const keyPath = join(a, 'identity.key')
    await writeFile(keyPath, 'definitely not a key')
    const result = await pmesh(['start', '--home', a, '--listen', '/ip4/127.0.0.1/tcp/0'])
    assert.equal(result.code, 1)
    assert.ok(result.stderr.includes(keyPath), result.stderr)
    assert.equal(await readFile(keyPath, 'utf8'), 'definitely not a key')
  })

  it('rejects bad arguments on stderr with a non-zero exit', async () => {
    const a = await home()
    const cases: Array<[string[], number, RegExp]> = [
      [['frobnicate'], 2, /unknown command "frobnicate"\nRun "pmesh help"/],
      [['stauts'], 2, /unknown command "stauts"; did you mean "status"\?/],
      [['inbx', '--home', a], 2, /did you mean "inbox"\?/],
      [['start', '--home', a, '--api-port', 'lots'], 2, /--api-port must be a port number/],
      [['start', '--home', a, '--listen', 'nonsense'], 1, /not a multiaddr/],
      [['start', '--home', a, '--bootstrap', '/ip4/127.0.0.1/tcp/1'], 1, /must end with \/p2p/],
      [['start', '--home', a, '--no-such-flag'], 2, /Unknown option '--no-such-flag'/],
      [['connect', '--home', a], 2, /Missing argument/],
      [['peers', '--home', a], 1, /No node is running with home/]
    ]
    for (const [args, code, stderr] of cases) {
      const result = await pmesh(args)
      assert.equal(result.code, code, `pmesh ${args.join(' ')}: ${result.stderr}`)
      assert.match(result.stderr, stderr)
      assert.equal(result.stdout, '')
    }
  })

  it('takes settings from config.json, flags winning', async () => {
    const a = await home()
    await writeFile(join(a, 'config.json'), JSON.stringify({ relay: true, listen: ['/ip4/127.0.0.1/tcp/0'] }))
    const node = await pmeshStart(a)
    running.push(node)
    const id = JSON.parse((await pmesh(['id', '--home', a, '--json'])).stdout)
    assert.equal(id.relay, true)
  })
})
