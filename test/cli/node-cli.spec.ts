/**
 * A community relay run the way docs/RELAY.md says: `pmesh start --relay`
 * with an announced address, a metrics endpoint and JSON logs, a limit from
 * config.json, then `pmesh node` and `/healthz` as its operator uses them.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { pmesh, pmeshStart, stopProcess, type RunningNode } from '../helpers/cli.js'
import { tempDir, waitFor } from '../helpers/temp.js'

/** A TCP port free a moment ago */
async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>(resolve => server.close(() => resolve()))
  if (address == null || typeof address === 'string') throw new Error('no port')
  return address.port
}

describe('pmesh start --relay and pmesh node', function () {
  this.timeout(90_000)
  const running: RunningNode[] = []
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map(async node => stopProcess(node)))
    await Promise.all(dirs.splice(0).map(async dir => dir.remove()))
  })

  it('announces its public address, logs reservations as JSON, serves /healthz and reports its limits', async () => {
    const [relayHome, nodeHome] = await Promise.all([tempDir(), tempDir()])
    dirs.push(relayHome, nodeHome)
    await writeFile(join(relayHome.path, 'config.json'), JSON.stringify({ relayLimits: { maxReservations: 7 }, mailbox: { boxItems: 50 } }))
    const port = await freePort()
    const relay = await pmeshStart(relayHome.path, ['--relay', '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--announce', '/dns4/relay.example.org/tcp/4001', '--metrics', '127.0.0.1:0', '--log-format', 'json'])
    running.push(relay)
    let stderr = ''
    relay.child.stderr?.on('data', chunk => { stderr += chunk })
    const info = relay.info as typeof relay.info & { metrics: string }
    assert.deepEqual(info.addresses, [`/dns4/relay.example.org/tcp/4001/p2p/${info.peerId}`])
    assert.match(info.metrics, /^http:\/\/127\.0\.0\.1:\d+$/)

    const behind = await pmeshStart(nodeHome.path, ['--firewalled', '--bootstrap', `/ip4/127.0.0.1/tcp/${port}/p2p/${info.peerId}`])
    running.push(behind)
    await waitFor(() => stderr.includes('relay-reservation-taken'), 30_000, 'the reservation line')
    const line = JSON.parse(stderr.split('\n').find(l => l.includes('relay-reservation-taken')) ?? '')
    assert.equal(line.level, 'info')
    assert.equal(line.peer, behind.info.peerId)

    const health = await fetch(`${info.metrics}/healthz`)
    assert.equal(health.status, 200)

    const json = await pmesh(['node', '--home', relayHome.path, '--json'])
    assert.equal(json.code, 0, json.stderr)
    const status = JSON.parse(json.stdout)
    assert.equal(status.role, 'relay')
    assert.equal(status.health.status, 'ok')
    assert.equal(status.version, '0.1.0')
    assert.equal(status.reservations.given, 1)
    assert.ok(status.connections.inbound >= 1)
    assert.equal(status.limits.relayLimits.maxReservations, 7)
    assert.equal(status.limits.mailbox.boxItems, 50)
    assert.equal(status.limits.mailbox.totalItems, 50_000)
    assert.equal(status.limits.connections.maxConnections, 300)

    const text = await pmesh(['node', '--home', relayHome.path])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /health:\s+ok/)
    assert.match(text.stdout, /reservations:\s+0 held on relays, 1 given of at most 7/)
    assert.match(text.stdout, /relay limits:\s+reservations 7, reservation lifetime 2 h, per relayed connection 30 min and 16 MiB/)

    const desktop = await pmesh(['node', '--home', nodeHome.path, '--json'])
    assert.equal(JSON.parse(desktop.stdout).reservations.held, 1)
  })

  it('refuses a bad --metrics or --log-format as a wrong command line', async () => {
    const bad = await pmesh(['start', '--metrics', 'localhost', '--home', '/nonexistent/never'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /--metrics: "localhost" is not HOST:PORT/)
    const format = await pmesh(['start', '--log-format', 'xml', '--home', '/nonexistent/never'])
    assert.equal(format.code, 2)
    assert.match(format.stderr, /--log-format must be "text" or "json"/)
  })
})
