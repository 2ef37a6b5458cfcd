/**
 * A community relay as its operator sees it: the metrics endpoint scraped
 * and checked by Prometheus's own promtool (or a parser of the format when
 * promtool is not installed), health, announced addresses and the info log.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { InvalidConfigError } from '../../src/node/errors.js'
import { opsLog } from '../../src/node/ops-log.js'
import { nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

const PROMTOOL = spawnSync('promtool', ['--version']).status === 0

const circuits = (node: PresenceMeshNode): string[] => node.libp2p.getMultiaddrs().map(ma => ma.toString()).filter(a => a.includes('/p2p-circuit'))

async function get (url: string): Promise<{ status: number, type: string, body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) })
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() }
}

/** The value of one sample, by metric name and labels */
function sample (families: parsePrometheusTextFormat.MetricFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.find(f => f.name === name)
  const found = family?.metrics.find(m => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
  return found?.value == null ? undefined : Number(found.value)
}

describe('operating a relay: metrics, health, addresses, log', function () {
  this.timeout(120_000)
  const { start } = nodesPerTest()

  it('serves libp2p\'s and our metrics in the exposition format promtool accepts', async () => {
    const relay = await start({ relay: true, metrics: '127.0.0.1:0' })
    assert.match(relay.metricsUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/)
    const bootstrap = [relay.libp2p.getMultiaddrs()[0].toString()]
    // a firewalled node reserves on the relay; another reaches it through the relay
    const behind = await start({ firewalled: true, bootstrap })
    await waitFor(() => circuits(behind).length > 0, 30_000, 'a reservation on the relay')
    const caller = await start({ bootstrap, metrics: '127.0.0.1:0' })
    const sent = await caller.libp2p.services.im.send(behind.peerId, { body: 'through the relay' })
    assert.equal(sent.status, 'delivered', JSON.stringify(sent))
    // a box for an offline recipient, and one refused as too large for the sender's share
    const offline = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const stored = await caller.libp2p.services.mailbox.deposit(relay.peerId, offline, new Uint8Array(1000).fill(7))
    assert.equal(stored.status, 'stored', JSON.stringify(stored))

    const scrape = await get(`${relay.metricsUrl}/metrics`)
    assert.equal(scrape.status, 200)
    assert.match(scrape.type, /^text\/plain; version=0\.0\.4/)
    if (PROMTOOL) {
      // exit 1: the text does not parse; exit 3: it parses, with lint problems (naming conventions),
      // which some of libp2p's and prom-client's own metrics have (a gauge named …_total): ours have none
      const checked = spawnSync('promtool', ['check', 'metrics'], { input: scrape.body, encoding: 'utf8', timeout: 30_000 })
      const report = `${checked.stdout}${checked.stderr}`
      assert.ok(checked.status === 0 || checked.status === 3, `promtool check metrics (exit ${checked.status}): ${report}`)
      assert.doesNotMatch(report, /error while linting|presence_mesh_/, report)
    } else {
      console.log('      promtool is not installed (Debian package "prometheus"): checked with parse-prometheus-text-format only')
    }
    const families = parsePrometheusTextFormat(scrape.body)
    assert.ok(families.length > 20, `only ${families.length} metric families`)
    // libp2p's own, and the process's
    assert.ok((sample(families, 'libp2p_connection_manager_connections', { libp2p_connection_manager_connections: 'inbound' }) ?? 0) >= 2)
    assert.ok((sample(families, 'libp2p_circuit_relay_server_reservations_total') ?? 0) >= 1)
    assert.ok((sample(families, 'process_cpu_seconds_total') ?? 0) > 0)
    // ours
    assert.equal(sample(families, 'presence_mesh_relay_reservations', { side: 'given' }), 1)
    assert.equal(sample(families, 'presence_mesh_relay_reservation_events_total', { event: 'taken' }), 1)
    assert.equal(sample(families, 'presence_mesh_mailbox_items'), 1)
    assert.ok((sample(families, 'presence_mesh_mailbox_bytes') ?? 0) >= 1000)
    assert.equal(sample(families, 'presence_mesh_mailbox_deposits_total', { outcome: 'stored' }), 1)
    assert.ok((sample(families, 'presence_mesh_relayed_bytes_total') ?? 0) > 1000, 'the relayed message\'s bytes')
    assert.ok((sample(families, 'presence_mesh_dht_records') ?? 0) >= 1, 'the relay holds its clients\' presence records')
    assert.ok((sample(families, 'presence_mesh_presence_published_total') ?? 0) >= 1)
    assert.ok(families.some(f => f.name === 'presence_mesh_stream_refusals_total'))
    // registered by the services themselves, through components.metrics
    for (const name of ['presence_mesh_presence_notifies_total', 'presence_mesh_presence_pushes_received_total', 'presence_mesh_im_outcomes_total', 'presence_mesh_im_received_total']) {
      assert.ok(families.some(f => f.name === name), `${name} is exported`)
    }
    // the caller's delivery through the relay is timed in its own histogram
    const delivery = parsePrometheusTextFormat((await get(`${caller.metricsUrl}/metrics`)).body)
      .find(f => f.name === 'presence_mesh_im_delivery_seconds')
    assert.equal(delivery?.type, 'HISTOGRAM')
    const timed = delivery?.metrics[0] as { count?: string, sum?: string } | undefined
    assert.equal(Number(timed?.count), 1, JSON.stringify(delivery))
    assert.ok(Number(timed?.sum) > 0 && Number(timed?.sum) < 60, JSON.stringify(delivery))

    assert.equal((await get(`${relay.metricsUrl}/nothing`)).status, 404)
    assert.equal((await fetch(`${relay.metricsUrl}/metrics`, { method: 'POST' })).status, 405)
  })

  it('answers /healthz 200 when reachable and joined, 503 otherwise, with no personal data', async () => {
    const relay = await start({ relay: true, metrics: '127.0.0.1:0' })
    const ok = await get(`${relay.metricsUrl}/healthz`)
    assert.equal(ok.status, 200)
    assert.deepEqual(JSON.parse(ok.body), { status: 'ok', checks: { listening: true } })

    // a desktop node whose bootstrap peer is gone: listening, but not in the mesh
    const gone = await start({ relay: true })
    const address = gone.libp2p.getMultiaddrs()[0].toString()
    await gone.stop()
    const desktop = await start({ bootstrap: [address], metrics: '127.0.0.1:0' })
    const alone = await get(`${desktop.metricsUrl}/healthz`)
    assert.equal(alone.status, 503)
    assert.deepEqual(JSON.parse(alone.body), { status: 'unhealthy', checks: { listening: true, mesh: false } })
    for (const node of [relay, desktop]) {
      const body = (await get(`${node.metricsUrl}/healthz`)).body
      assert.ok(!body.includes(node.peerId.toString()) && !body.includes('127.0.0.1'), body)
    }
    // no listener at all
    const deaf = await start({ listen: [], metrics: '127.0.0.1:0' })
    assert.equal((await get(`${deaf.metricsUrl}/healthz`)).status, 503)
  })

  it('advertises the announced addresses instead of the listening ones', async () => {
    const announce = ['/ip4/203.0.113.7/tcp/4001', '/dns4/relay.example.org/tcp/4001']
    const relay = await start({ relay: true, announce })
    const advertised = relay.libp2p.getMultiaddrs().map(ma => ma.toString())
    assert.deepEqual(advertised, announce.map(a => `${a}/p2p/${relay.peerId.toString()}`))
    await assert.rejects(start({ firewalled: true, announce }), (err: Error) => err instanceof InvalidConfigError && /firewalled or private/.test(err.message))
  })

  it('logs reservations and mailbox deposits and drains as one JSON line each, without contents', async () => {
    const lines: string[] = []
    const relay = await start({ relay: true, logFormat: 'json', logTo: { write: (line: string) => lines.push(line) } })
    const bootstrap = [relay.libp2p.getMultiaddrs()[0].toString()]
    const behind = await start({ firewalled: true, bootstrap })
    await waitFor(() => circuits(behind).length > 0, 30_000, 'a reservation on the relay')
    // sealed mail for an identity that comes online later and drains it
    const key = await generateKeyPair('Ed25519')
    const sender = await start({ bootstrap })
    const secret = new TextEncoder().encode('never in a log line')
    assert.equal((await sender.libp2p.services.mailbox.deposit(relay.peerId, peerIdFromPrivateKey(key), secret)).status, 'stored')
    const recipient = await start({ privateKey: key })
    recipient.libp2p.services.mailbox.handle(async () => {})
    await recipient.libp2p.dial(relay.libp2p.getMultiaddrs()[0])
    await waitFor(() => lines.some(l => l.includes('mailbox-drain')), 20_000, 'the drain line')

    const events = lines.map(line => JSON.parse(line))
    assert.ok(lines.every(line => line.endsWith('\n') && line.indexOf('\n') === line.length - 1), 'one line each')
    const taken = events.find(e => e.event === 'relay-reservation-taken')
    assert.equal(taken.level, 'info')
    assert.equal(taken.peer, behind.peerId.toString())
    assert.ok(!Number.isNaN(Date.parse(taken.time)))
    assert.deepEqual(events.filter(e => e.event === 'mailbox-deposit').map(e => [e.outcome, e.bytes, e.held]), [['stored', secret.byteLength, 1]])
    assert.deepEqual(events.filter(e => e.event === 'mailbox-drain').map(e => [e.items, e.held]), [[1, 0]])
    const all = lines.join('')
    assert.ok(!all.includes('never in a log line') && !all.includes(sender.peerId.toString()) && !all.includes(recipient.peerId.toString()), 'contents and parties stay out')

    // the reservation runs out (circuit relay's own timer, brought forward): one line says so
    relay.libp2p.services.relay?.reservations.get(behind.peerId)?.signal.reset(10)
    await waitFor(() => lines.some(l => l.includes('relay-reservation-ended')), 10_000, 'the end of the reservation')
    const ended = JSON.parse(lines.find(l => l.includes('relay-reservation-ended')) ?? '')
    assert.deepEqual([ended.peer, ended.reservations], [behind.peerId.toString(), 0])
  })

  it('writes text lines as TIME info EVENT key=value, quoting what would break them', () => {
    const lines: string[] = []
    const log = opsLog({ write: (line: string) => lines.push(line) }, 'text', () => new Date(0))
    log.info('mailbox-deposit', { outcome: 'stored', bytes: 12, note: 'a b="c"' })
    assert.deepEqual(lines, ['1970-01-01T00:00:00.000Z info mailbox-deposit outcome=stored bytes=12 note="a b=\\"c\\""\n'])
  })
})
