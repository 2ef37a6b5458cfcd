/**
 * The scale simulation's figures (scale.ts): per step, the measured desktop
 * node's and relay's bytes and CPU over the window, what the rest of the
 * network did meanwhile, and the "scale" section of docs/BENCHMARKS.md.
 */
import { loadavg } from 'node:os'
import { formatTriple, markdownTable, round, summarize } from '../mesh/stats.js'
import { formatLoad, machine, type Load } from './report.js'
import type { ProbeSnapshot } from './idle-probe.js'
import type { StepSnapshot } from './scale-step.js'
import { calibrate as fit, type Calibration, type Measured } from './scale-model.js'

/**
 * `subscribes`: subscriptions in flight across the network while it subscribes; `heapMiB`: a bulk process's old space;
 * `relayConnections`: every relay's connection ceiling, where not the product's 300
 */
export interface ScalePlan { contacts: number, intervalS: number, windowS: number, perProcess: number, subscribes: number, heapMiB: number, relayConnections?: number }

export interface ScaleStep {
  nodes: number
  relays: number
  contacts: number
  /** Seconds the bulk process took to start its nodes, and the network to subscribe (from 3e7e8d0 on) */
  startS?: number
  subscribeS?: number
  /** Bulk processes the other nodes ran in, and plain nodes to one at most */
  processes?: number
  perProcess?: number
  /** A plain bulk process's old space, MiB, where not V8's 4,096; every relay's connection ceiling, where not 300 */
  heapMiB?: number
  relayConnections?: number
  /** A bulk loop delayed this long in the window is flagged: its nodes may have missed pings */
  stallMs?: number
  /** `granted`: of the others' successful subscribes, those their presentity registered (the rest wait for it, record 015) */
  subscribed?: { desktop: number, desktopOf: number, others: number, othersOf: number, granted?: number }
  /** Snapshots at the window's start and end */
  window?: { desktop: [ProbeSnapshot, ProbeSnapshot], relay: [ProbeSnapshot, ProbeSnapshot], bulk: [StepSnapshot[], StepSnapshot[]], notifies: number }
  load?: Load
  error?: string
  /** Each user's mean time between changes, s, and the window, s, of this step (runs may differ) */
  intervalS?: number
  windowS?: number
  /** When the step began (ISO), and the commit it ran (a curve may gather several runs) */
  at?: string
  code?: string
}

/** Below this share of the changes delivered, the simulation did not keep up and its figures mean little */
const DELIVERED_AT_LEAST = 0.9

interface Rates { inBps: number, outBps: number, cpuPct: number, connections: number }

function rates ([a, b]: [ProbeSnapshot, ProbeSnapshot]): Rates {
  const s = (b.at - a.at) / 1000
  return { inBps: (b.bytesIn - a.bytesIn) / s, outBps: (b.bytesOut - a.bytesOut) / s, cpuPct: (b.cpuUs - a.cpuUs) / 1e4 / s, connections: b.connections }
}

interface Bulk { changesPerS: number, cpuPct: number, delivered: number, wills: number, loopP99: number, loopMax: number }

/** The bulk processes added up: a change made in one is delivered in others */
function bulk ([a, b]: [StepSnapshot[], StepSnapshot[]]): Bulk {
  const s = (b[0].at - a[0].at) / 1000
  const sum = (snaps: StepSnapshot[], key: 'changes' | 'expected' | 'delivered' | 'wills' | 'cpuUs'): number => snaps.reduce((total, snap) => total + snap[key], 0)
  const diff = (key: 'changes' | 'expected' | 'delivered' | 'wills' | 'cpuUs'): number => sum(b, key) - sum(a, key)
  const expected = diff('expected')
  return {
    changesPerS: diff('changes') / s,
    cpuPct: diff('cpuUs') / 1e4 / s,
    // no change in the window (a short one at 10 nodes): nothing was due, so nothing is missing
    delivered: expected === 0 ? Number.NaN : diff('delivered') / expected,
    wills: diff('wills'),
    loopP99: Math.max(...b.map(snap => snap.loopDelayP99Ms)),
    loopMax: Math.max(...b.map(snap => snap.loopDelayMaxMs))
  }
}

/** A bulk loop stalled in the window: the step's figures may include its nodes' lost connections */
export function stalled (step: ScaleStep): boolean {
  return step.window != null && step.stallMs != null && bulk(step.window.bulk).loopMax > step.stallMs
}

/**
 * The step kept up: its changes delivered, no bulk loop stalled, and no will storm — a 300-node
 * step "delivered" 313 % with 891 wills, the records that outbid them counted as deliveries
 */
export function healthy (step: ScaleStep): boolean {
  if (step.error != null || step.window == null || step.subscribed == null || stalled(step)) return false
  const { delivered, wills } = bulk(step.window.bulk)
  const kept = Number.isNaN(delivered) || (delivered >= DELIVERED_AT_LEAST && delivered <= 1 / DELIVERED_AT_LEAST)
  return kept && wills <= step.nodes / 10 && step.subscribed.others >= DELIVERED_AT_LEAST * step.subscribed.othersOf
}

const HEADER = ['nodes', 'code', 'relays', 'change every s', 'relay clients', 'desktop B/s in · out', 'desktop CPU %', 'desktop notifies/min', 'relay B/s in · out', 'relay CPU %', 'relay conns', 'others: processes, changes/s, CPU % of a core, loop p99 · max ms', 'delivered (wills)', 'notify p50 · p95 · p99', 'subscribed (desktop, others)', 'start-up · subscribe s', 'load', 'error']

const int = (v: number): string => Math.round(v).toLocaleString('en')

/** A step's error in one table cell: a bulk process's crash carries its stack (lines, this machine's paths); its "Error:" line says it */
const oneLine = (error: string | undefined): string => error == null ? '' : (error.split('\n').filter(line => line.includes('Error: ')).pop() ?? error.split('\n')[0]).trim()

export function scaleRow (step: ScaleStep): string[] {
  const granted = step.subscribed?.granted == null ? '' : ` (${int(step.subscribed.granted)} granted)`
  const sub = step.subscribed == null ? '–' : `${step.subscribed.desktop}/${step.subscribed.desktopOf}, ${step.subscribed.others}/${step.subscribed.othersOf}${granted}`
  const phases = `${step.startS ?? '–'}${step.subscribeS == null ? '' : ` · ${step.subscribeS}`}`
  const head = [String(step.nodes), step.code ?? '–', `${step.relays}${step.relayConnections == null ? '' : ` (≤ ${int(step.relayConnections)} conns)`}`, String(step.intervalS ?? '–'), String(clients(step))]
  if (step.window == null) return [...head, ...Array(9).fill('–'), sub, phases, formatLoad(step.load), oneLine(step.error)]
  const d = rates(step.window.desktop)
  const r = rates(step.window.relay)
  const b = bulk(step.window.bulk)
  const minutes = (step.window.desktop[1].at - step.window.desktop[0].at) / 60_000
  const latencies = step.window.bulk[1].flatMap(snap => snap.latencies)
  return [...head, `${int(d.inBps)} · ${int(d.outBps)}`, String(round(d.cpuPct, 2)), String(round(step.window.notifies / minutes, 1)),
    `${int(r.inBps)} · ${int(r.outBps)}`, String(round(r.cpuPct, 2)), String(r.connections),
    `${step.processes ?? 1} (≤ ${step.perProcess ?? 50} nodes${step.heapMiB != null && step.heapMiB !== 4096 ? `, heap ${step.heapMiB} MiB` : ''}), ${round(b.changesPerS, 2)}, ${round(b.cpuPct, 0)} %, ${int(b.loopP99)} · ${int(b.loopMax)}${stalled(step) ? ' **stalled**' : ''}`, `${Number.isNaN(b.delivered) ? 'no change' : `${round(b.delivered * 100, 1)} %`} (${b.wills})`,
    formatTriple(summarize(latencies), 'ms'), sub, phases, formatLoad(step.load), oneLine(step.error)]
}

/** Push streams the desktop node opened and accepted in the window, per second */
function pushesPerS ([a, b]: [ProbeSnapshot, ProbeSnapshot]): number {
  const pushes = (snap: ProbeSnapshot): number => Object.entries(snap.streams).filter(([what]) => what.includes('/presence/push/')).reduce((sum, [, k]) => sum + k, 0)
  return (pushes(b) - pushes(a)) / ((b.at - a.at) / 1000)
}

/** The measured relay's own clients: the plain users (the desktop node among them) shared among the relays */
const clients = (step: ScaleStep): number => Math.round((step.nodes - step.relays) / step.relays)

/** The healthy steps as the model's measurements: everyone online, the simulation's contacts and change rate */
export function measured (steps: ScaleStep[]): Measured[] {
  return steps.filter(healthy).map(s => {
    const d = rates(s.window!.desktop)
    const r = rates(s.window!.relay)
    // every user changes: the plain nodes and the desktop node, not the relays
    return { users: s.nodes - s.relays, relays: s.relays, contacts: s.contacts, changeIntervalS: s.intervalS ?? 180, onlineShare: 1, desktopPushesPerS: pushesPerS(s.window!.desktop) || undefined, desktopBps: d.inBps + d.outBps, desktopCpuPct: d.cpuPct, relayBps: r.inBps + r.outBps, relayCpuPct: r.cpuPct }
  })
}

export function calibrate (steps: ScaleStep[]): Calibration | undefined {
  const points = measured(steps)
  return fit(points, `the steps that kept up, of ${points.map(p => p.users + p.relays).join(', ')} nodes (medians; bytes per push by step, over the pushes counted in its window: ${fit(points, '')?.spread.map(v => int(v)).join(', ') ?? ''})`)
}

export function scaleMarkdown (steps: ScaleStep[], contacts: number): string {
  const ok = steps.filter(healthy)
  const when = steps.map(s => s.at ?? '').filter(at => at !== '').sort()
  const intervals = [...new Set(steps.map(s => s.intervalS ?? 180))].sort((a, b) => a - b).join(' or ')
  const windows = [...new Set(steps.map(s => s.windowS ?? 120))].sort((a, b) => a - b).join(' or ')
  // the smallest size at which no step kept up: a size that kept up in a later run is not "broken" for its earlier tries
  // the smallest size that never kept up, told by its latest run (the code it ran is the newest)
  const brokenSize = steps.find(s => !healthy(s) && !ok.some(k => k.nodes === s.nodes))?.nodes
  const broken = steps.findLast(s => s.nodes === brokenSize && !healthy(s))
  const desktop = ok.map(s => ({ n: s.nodes, bps: ((r: Rates) => r.inBps + r.outBps)(rates(s.window!.desktop)), cpu: rates(s.window!.desktop).cpuPct }))
  const relay = ok.map(s => ({ n: s.nodes, bps: ((r: Rates) => r.inBps + r.outBps)(rates(s.window!.relay)), conns: rates(s.window!.relay).connections, clients: clients(s), t: s.intervalS ?? 180 }))
  return `## Scale simulation

Written by \`npm run bench -- scale\` (scripts/bench/scale.ts, scale-step.ts, scale-workload.ts, scale-report.ts, scale-model.ts) on
${when[0] ?? '–'} … ${when[when.length - 1] ?? '–'} (steps started at these times, in one or several runs kept with \`--keep\`), ${machine()}; load average ${loadavg()[0].toFixed(1)} at the end (each step's \`load\`: the
1-minute load average when its window began → ended; the machine is shared with other work).

What runs, per step of N nodes, all real presence-mesh nodes (\`createNode\`): one relay per 100 users (a DHT
server, the bootstrap node and will holder of its share of the users); every user has **${contacts} contacts**
drawn at random from the network and subscribes to them, and changes its availability every **${intervals} s** on
average (each change at 0.5–1.5 × that after the previous one, the first at a random moment: a status change every
few minutes, not compressed). Two nodes are measured, each alone in its process so that the process's CPU
(process.cpuUsage, all threads) and TCP sockets (every byte on the wire) are its own: **a desktop node** — a client
of the measured relay, watching ${contacts} users drawn at random and watched by ${contacts} — and **the relay**
(relay 0, a client share of about N / relays users). The other relays run in processes of their own, three at most to
one; everyone else runs in bulk processes of at most 50 nodes (10 in the steps that say so),
started one after the other, each in waves of 10 that wait until the previous wave reached its relays; nodes of one
process meet over @libp2p/memory, of different processes over loopback TCP. Every node of the simulation closes a
connection after an unanswered ping of 20 s at least (libp2p's 5 s would take a lagging process's nodes for dead; real
nodes keep libp2p's). The network subscribes 100 at a time in all from 8e41f43 on (before: 50 per process); \`subscribed\`
counts the subscribes that succeeded and, where counted, how many of them their presentity granted — the others wait
for it (design record 015). After subscribing, 20 s to settle and 40 s of changes as warm-up, the window lasts ${windows} s.
\`others\`: the rest of the network — its processes, changes per second, CPU (all its processes) and the worst
event-loop delay of its processes (p99 and max; **stalled** when a loop stopped for over 5 s); \`delivered\`: the share of
the changes' notifications that reached their watchers in the window (notifications count where they arrive, changes
where they are made, so window edges move it a little either way), and in brackets the notifications of wills (a
death seen wrongly, as when a relay drops a lagging client); \`notify\`: the record's issue → the watcher's notify event.

${markdownTable(HEADER, steps.map(scaleRow))}

What this shows:

- ${desktop.length >= 2 ? '**The desktop node\'s cost as the network grows:**' : `**Whether the desktop node's cost stays flat is not shown by this run**: ${desktop.length} step${desktop.length === 1 ? '' : 's'} kept up.`} ${desktop.map(d => `${d.n} nodes: ${int(d.bps)} B/s, ${round(d.cpu, 2)} %`).join('; ')}
  (bytes in + out, CPU as a share of one core). It receives its contacts' changes and nothing of anyone else's;
  what it sends is its own change, pushed to its watchers, put in the DHT (on up to 20 relays, so that term grows
  with the relays up to 20 and then stops) and deposited as a will with its relay.
- **The relay's cost against its own clients:** ${relay.map(r => `${r.n} nodes: ${int(r.bps)} B/s with ${r.clients} clients (${r.conns} connections), ${int(r.bps / r.clients)} B/s per client at a change per ${r.t} s`).join('; ') || 'no step worked'}.
  Up to 100 nodes it is the only relay and every user is its client and every record's DHT server; from 100 on each
  relay keeps about 100 clients and, below 20 relays, is still a DHT server of every record: its cost grows with the
  network's changes until there are 20 relays, then with its own clients only (the model below).
- ${broken == null ? `${ok.length === steps.length ? 'Every step tried kept up' : 'Every size kept up in at least one run'} (at least ${DELIVERED_AT_LEAST * 100} % of the notifications delivered, no bulk loop stalled)${ok.length === steps.length ? '' : `; ${steps.length - ok.length} of the ${steps.length} steps did not, and are left out of the calibration (design record 015 says why)`}.` : `At ${broken.nodes} nodes (a change per ${broken.intervalS ?? 180} s; its latest run, ${broken.code}) the simulation did not keep up: ${broken.error != null ? oneLine(broken.error) : `${round((broken.window == null ? 0 : bulk(broken.window.bulk).delivered) * 100, 1)} % of the notifications delivered, ${broken.subscribed?.others ?? 0} of ${broken.subscribed?.othersOf ?? 0} subscriptions made${broken.subscribed?.granted == null ? '' : ` (${broken.subscribed.granted} granted by their presentities)`}${stalled(broken) ? ', a bulk loop stalled' : ''}`}; it is left out of the calibration, and so is every step that did not keep up (design record 015 counts why: wakes, cut-offs, wills).`}
  All nodes but two share this machine's 2 cores with other work: the limit is the simulation's, not a node's —
  each real node has a core of its own and pays the desktop's or the relay's figures above alone.
`
}
