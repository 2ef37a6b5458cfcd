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

export interface ScalePlan { contacts: number, intervalS: number, windowS: number }

export interface ScaleStep {
  nodes: number
  relays: number
  contacts: number
  /** Seconds the bulk process took to start its nodes */
  startS?: number
  /** Bulk processes the other nodes ran in */
  processes?: number
  /** A bulk loop delayed this long in the window is flagged: its nodes may have missed pings */
  stallMs?: number
  subscribed?: { desktop: number, desktopOf: number, others: number, othersOf: number }
  /** Snapshots at the window's start and end */
  window?: { desktop: [ProbeSnapshot, ProbeSnapshot], relay: [ProbeSnapshot, ProbeSnapshot], bulk: [StepSnapshot[], StepSnapshot[]], notifies: number }
  load?: Load
  error?: string
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

export function healthy (step: ScaleStep): boolean {
  if (step.error != null || step.window == null || step.subscribed == null) return false
  const delivered = bulk(step.window.bulk).delivered
  return (Number.isNaN(delivered) || delivered >= DELIVERED_AT_LEAST) && step.subscribed.others >= DELIVERED_AT_LEAST * step.subscribed.othersOf
}

const HEADER = ['nodes', 'relays', 'desktop B/s in · out', 'desktop CPU %', 'desktop notifies/min', 'relay B/s in · out', 'relay CPU %', 'relay conns', 'others: processes, changes/s, CPU % of a core, loop p99 · max ms', 'delivered (wills)', 'notify p50 · p95 · p99', 'subscribed (desktop, others)', 'start-up s', 'load', 'error']

const int = (v: number): string => Math.round(v).toLocaleString('en')

export function scaleRow (step: ScaleStep): string[] {
  const sub = step.subscribed == null ? '–' : `${step.subscribed.desktop}/${step.subscribed.desktopOf}, ${step.subscribed.others}/${step.subscribed.othersOf}`
  const head = [String(step.nodes), String(step.relays)]
  if (step.window == null) return [...head, ...Array(9).fill('–'), sub, String(step.startS ?? '–'), formatLoad(step.load), step.error ?? '']
  const d = rates(step.window.desktop)
  const r = rates(step.window.relay)
  const b = bulk(step.window.bulk)
  const minutes = (step.window.desktop[1].at - step.window.desktop[0].at) / 60_000
  const latencies = step.window.bulk[1].flatMap(snap => snap.latencies)
  return [...head, `${int(d.inBps)} · ${int(d.outBps)}`, String(round(d.cpuPct, 2)), String(round(step.window.notifies / minutes, 1)),
    `${int(r.inBps)} · ${int(r.outBps)}`, String(round(r.cpuPct, 2)), String(r.connections),
    `${step.processes ?? 1}, ${round(b.changesPerS, 2)}, ${round(b.cpuPct, 0)} %, ${int(b.loopP99)} · ${int(b.loopMax)}${stalled(step) ? ' **stalled**' : ''}`, `${Number.isNaN(b.delivered) ? 'no change' : `${round(b.delivered * 100, 1)} %`} (${b.wills})`,
    formatTriple(summarize(latencies), 'ms'), sub, String(step.startS ?? '–'), formatLoad(step.load), step.error ?? '']
}

/** The healthy steps as the model's measurements: everyone online, the simulation's contacts and change rate */
export function measured (steps: ScaleStep[], plan: ScalePlan): Measured[] {
  return steps.filter(s => healthy(s) && !stalled(s)).map(s => {
    const d = rates(s.window!.desktop)
    const r = rates(s.window!.relay)
    // every user changes: the plain nodes and the desktop node, not the relays
    return { users: s.nodes - s.relays, relays: s.relays, contacts: s.contacts, changeIntervalS: plan.intervalS, onlineShare: 1, desktopBps: d.inBps + d.outBps, desktopCpuPct: d.cpuPct, relayBps: r.inBps + r.outBps, relayCpuPct: r.cpuPct }
  })
}

export function calibrate (steps: ScaleStep[], plan: ScalePlan): Calibration | undefined {
  const points = measured(steps, plan)
  return fit(points, `the steps of ${points.map(p => p.users + p.relays).join(', ')} nodes of this run (medians; bytes per push by step: ${fit(points, '')?.spread.map(v => int(v)).join(', ') ?? ''})`)
}

export function scaleMarkdown (steps: ScaleStep[], plan: ScalePlan, started: Date): string {
  const ok = steps.filter(healthy)
  const broken = steps.find(s => !healthy(s))
  const desktop = ok.map(s => ({ n: s.nodes, bps: ((r: Rates) => r.inBps + r.outBps)(rates(s.window!.desktop)), cpu: rates(s.window!.desktop).cpuPct }))
  const relay = ok.map(s => ({ n: s.nodes, bps: ((r: Rates) => r.inBps + r.outBps)(rates(s.window!.relay)), conns: rates(s.window!.relay).connections }))
  return `## Scale simulation

Written by \`npm run bench -- scale\` (scripts/bench/scale.ts, scale-step.ts, scale-workload.ts, scale-report.ts, scale-model.ts) on
${started.toISOString()}, ${machine()}; load average ${loadavg()[0].toFixed(1)} at the end (each step's \`load\`: the
1-minute load average when its window began → ended; the machine is shared with other work).

What runs, per step of N nodes, all real presence-mesh nodes (\`createNode\`): one relay per 100 users (a DHT
server, the bootstrap node and will holder of its share of the users); every user has **${plan.contacts} contacts**
drawn at random from the network and subscribes to them, and changes its availability every **${plan.intervalS} s** on
average (each change at 0.5–1.5 × that after the previous one, the first at a random moment: a status change every
few minutes, not compressed). Two nodes are measured, each alone in its process so that the process's CPU
(process.cpuUsage, all threads) and TCP sockets (every byte on the wire) are its own: **a desktop node** — a client
of the measured relay, watching ${plan.contacts} users drawn at random and watched by ${plan.contacts} — and **the relay**
(relay 0, a client share of about N / relays users). Everyone else runs in bulk processes of at most 50 nodes,
started one after the other, each in waves of 10 that wait until the previous wave reached its relays; nodes of one
process meet over @libp2p/memory, of different processes over loopback TCP. Every node of the simulation closes a
connection after an unanswered ping of 20 s at least (libp2p's 5 s would take a lagging process's nodes for dead; real
nodes keep libp2p's). After subscribing, 20 s to settle and 40 s of changes as warm-up, the window lasts ${plan.windowS} s.
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
- **The relay's cost against its clients:** ${relay.map(r => `${r.n} nodes: ${int(r.bps)} B/s with ${r.conns} connections`).join('; ') || 'no step worked'}.
  Up to 100 nodes it is the only relay and every user is its client and every record's DHT server; from 100 on each
  relay keeps about 100 clients and, below 20 relays, is still a DHT server of every record: its cost grows with the
  network's changes until there are 20 relays, then with its own clients only (the model below).
- ${broken == null ? `Every step tried kept up (at least ${DELIVERED_AT_LEAST * 100} % of the notifications delivered).` : `At ${broken.nodes} nodes the simulation stopped: ${broken.error ?? `${round((broken.window == null ? 0 : bulk(broken.window.bulk).delivered) * 100, 1)} % of the notifications delivered, ${broken.subscribed?.others ?? 0} of ${broken.subscribed?.othersOf ?? 0} subscriptions made`}. Larger steps were not tried.`}
  All nodes but two share this machine's 2 cores with other work: the limit is the simulation's, not a node's —
  each real node has a core of its own and pays the desktop's or the relay's figures above alone.
`
}
