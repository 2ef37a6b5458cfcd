/**
 * `npm run bench -- relay [--clients 50,100,200] [--quick]`: what one community
 * relay costs per connected client — memory, CPU and bytes — for
 * docs/RELAY.md's sizing table.
 *
 * The relay is the real thing an operator runs: `pmesh start --relay
 * --metrics …` in its own process, measured through its own metrics endpoint
 * (process_resident_memory_bytes, process_cpu_seconds_total and libp2p's
 * byte counters of every connection). Clients are real firewalled nodes,
 * several per process (relay-clients.ts), each holding a reservation on the
 * relay. Steps add clients; after each, once every client holds its
 * reservation and things settled, a window measures the relay at rest.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { PMESH, startProc, waitUntil, type Cleanup } from '../mesh/procs.js'
import { IpcProc } from './ipc.js'
import { withLoad, type Load } from './report.js'
import type { RelayClientsCommand } from './relay-clients.js'

const RELAY_CLIENTS = fileURLToPath(new URL('./relay-clients.js', import.meta.url))

export interface RelayPlan {
  /** Connected clients at each step, rising */
  steps: number[]
  perProcess: number
  /** After the last reservation of a step, before its window */
  settleS: number
  /** At least two of the relay's 30 s ping rounds */
  windowS: number
}

export interface RelayStep {
  clients: number
  reserved: number
  /** The relay's inbound connections at the end of the window */
  connections: number
  rssMiB: number
  /** CPU of the relay process in the window, percent of one core */
  cpuPercent: number
  /** Bytes in and out of the relay, all connections, per second */
  bytesPerS: number
  /** The same by protocol (libp2p's per-protocol counters), largest first */
  byProtocol: Array<[string, number]>
  load: Load
}

interface Scrape { rss: number, cpuS: number, bytes: number, protocols: Map<string, number>, connections: number, at: number }

async function scrape (url: string): Promise<Scrape> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(30_000) })).text()
  const families = parsePrometheusTextFormat(text)
  const values = (name: string): Array<{ labels: Record<string, string>, value: number }> =>
    (families.find(f => f.name === name)?.metrics ?? []).map(m => ({ labels: m.labels ?? {}, value: Number(m.value) }))
  const all = values('libp2p_data_transfer_bytes_total')
  const transfer = all.filter(m => Object.values(m.labels).some(l => l === 'global sent' || l === 'global received'))
  // `/ipfs/ping/1.0.0 sent` and `… received` together, per protocol
  const protocols = new Map<string, number>()
  for (const m of all) {
    const label = Object.values(m.labels)[0] ?? ''
    if (label.startsWith('global ')) continue
    const protocol = label.replace(/ (sent|received)$/, '')
    protocols.set(protocol, (protocols.get(protocol) ?? 0) + m.value)
  }
  return {
    protocols,
    connections: values('libp2p_connection_manager_connections').find(m => Object.values(m.labels).includes('inbound'))?.value ?? NaN,
    rss: values('process_resident_memory_bytes')[0]?.value ?? NaN,
    cpuS: values('process_cpu_seconds_total')[0]?.value ?? NaN,
    bytes: transfer.reduce((sum, m) => sum + m.value, 0),
    at: Date.now()
  }
}

export async function relaySizing (cleanup: Cleanup, log: (line: string) => void, plan: RelayPlan): Promise<RelayStep[]> {
  const home = await cleanup.tempDir('pmesh-relay-sizing-')
  // every client is on 127.0.0.1: the per-address limits would be one crowd's; room for the largest step
  const room = Math.max(...plan.steps) * 2 + 100
  await writeFile(join(home, 'config.json'), JSON.stringify({
    relayLimits: { maxReservations: room },
    connections: { maxConnections: room, inboundPerAddressPerSecond: 1_000, maxIncomingPending: 100, maxIncomingPendingPerAddress: 100 }
  }))
  const relay = await startProc(cleanup, PMESH, ['start', '--relay', '--home', home, '--listen', '/ip4/127.0.0.1/tcp/0', '--metrics', '127.0.0.1:0', '--json'])
  const url: string = relay.info.metrics
  const bootstrap: string = relay.info.addresses[0]
  log(`relay ${relay.info.peerId} at ${bootstrap}, metrics ${url}`)

  const groups: IpcProc[] = []
  let clients = 0
  const reserved = async (): Promise<number> => (await Promise.all(groups.map(async g => g.call<number, RelayClientsCommand>({ op: 'reserved' })))).reduce((a, b) => a + b, 0)
  const steps: RelayStep[] = []
  for (const target of [0, ...plan.steps]) {
    while (clients < target) {
      const n = Math.min(plan.perProcess, target - clients)
      groups.push(new IpcProc(await startProc(cleanup, RELAY_CLIENTS, ['--count', String(n), '--bootstrap', bootstrap], { ipc: true, timeoutMs: 300_000 })))
      clients += n
      log(`  ${clients}/${target} clients started`)
    }
    const held = await waitUntil(async () => { const r = await reserved(); return r >= target ? r : undefined }, 120_000 + target * 2_000, `${target} reservations`)
      .catch(async () => reserved())
    let measured
    try {
      log(`${target} clients, ${held} holding a reservation, ${(await scrape(url)).connections} connected; settling ${plan.settleS} s, then a ${plan.windowS} s window`)
      await new Promise(resolve => setTimeout(resolve, plan.settleS * 1000))
      measured = await withLoad(async () => {
        const before = await scrape(url)
        await new Promise(resolve => setTimeout(resolve, plan.windowS * 1000))
        return { before, after: await scrape(url) }
      })
    } catch (err: any) {
      // a relay too busy to answer its own metrics endpoint is a result: the steps before it stand
      log(`  the relay did not answer its metrics endpoint at ${target} clients (${err.message}): stopping here`)
      break
    }
    const { result, load } = measured
    const seconds = (result.after.at - result.before.at) / 1000
    const step: RelayStep = {
      clients: target,
      reserved: held,
      connections: result.after.connections,
      rssMiB: result.after.rss / 2 ** 20,
      cpuPercent: 100 * (result.after.cpuS - result.before.cpuS) / seconds,
      bytesPerS: (result.after.bytes - result.before.bytes) / seconds,
      byProtocol: [...result.after.protocols].map(([p, v]): [string, number] => [p, (v - (result.before.protocols.get(p) ?? 0)) / seconds])
        .filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]),
      load
    }
    log(`  ${step.connections} connected, RSS ${step.rssMiB.toFixed(1)} MiB, CPU ${step.cpuPercent.toFixed(2)} % of a core, ${step.bytesPerS.toFixed(0)} B/s (${step.byProtocol.slice(0, 4).map(([p, v]) => `${p} ${v.toFixed(0)}`).join(', ')}); load ${load.start.toFixed(1)} → ${load.end.toFixed(1)}`)
    steps.push(step)
  }
  return steps
}

/** The sizing table: each step, then per client (from the relay alone to the largest step) and per 1,000 */
export function sizingMarkdown (steps: RelayStep[], plan: RelayPlan, startedAt: Date): string {
  const base = steps[0]
  const top = steps[steps.length - 1]
  // per client connected to the relay at the end of the window: a client that lost its connection costs it nothing
  const connected = top.connections - base.connections
  const per = (f: (s: RelayStep) => number): number => connected <= 0 ? NaN : (f(top) - f(base)) / connected
  const rss = per(s => s.rssMiB)
  const cpu = per(s => s.cpuPercent)
  const bytes = per(s => s.bytesPerS)
  const lines = [
    `Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC with \`npm run bench -- relay\`: one relay process, firewalled clients (${plan.perProcess} per process) each holding a reservation, idle after joining; a ${plan.windowS} s window per step after ${plan.settleS} s of settling.`,
    '',
    '| clients | holding a reservation | connected | relay RSS (MiB) | relay CPU (% of a core) | relay bytes/s (in + out) | load average |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...steps.map(s => `| ${s.clients} | ${s.reserved} | ${s.connections} | ${s.rssMiB.toFixed(1)} | ${s.cpuPercent.toFixed(2)} | ${s.bytesPerS.toFixed(0)} | ${s.load.start.toFixed(1)} → ${s.load.end.toFixed(1)} |`),
    '',
    `| per connected client (from the relay alone to ${connected} connected) | per 1,000 clients (relay alone + 1,000 × per client) |`,
    '| --- | --- |',
    `| memory ${(rss * 1024).toFixed(0)} KiB | ${(base.rssMiB + 1000 * rss).toFixed(0)} MiB |`,
    `| CPU ${cpu.toFixed(3)} % of a core | ${(base.cpuPercent + 1000 * cpu).toFixed(1)} % of a core |`,
    `| ${bytes.toFixed(1)} bytes/s | ${((base.bytesPerS + 1000 * bytes) / 1024).toFixed(1)} KiB/s, ${((base.bytesPerS + 1000 * bytes) * 86_400 / 2 ** 30).toFixed(2)} GiB a day |`,
    '',
    `Bytes/s at ${top.clients} clients by protocol (libp2p's counters, in + out): ${top.byProtocol.slice(0, 6).map(([p, v]) => `\`${p}\` ${v.toFixed(0)}`).join(', ')}.`
  ]
  return lines.join('\n')
}
