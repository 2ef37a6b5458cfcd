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

export interface ScalePlan { contacts: number, intervalS: number, windowS: number }

export interface ScaleStep {
  nodes: number
  relays: number
  contacts: number
  /** Seconds the bulk process took to start its nodes */
  startS?: number
  subscribed?: { desktop: number, desktopOf: number, others: number, othersOf: number }
  /** Snapshots at the window's start and end */
  window?: { desktop: [ProbeSnapshot, ProbeSnapshot], relay: [ProbeSnapshot, ProbeSnapshot], bulk: [StepSnapshot, StepSnapshot], notifies: number }
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

function bulk ([a, b]: [StepSnapshot, StepSnapshot]): { changesPerS: number, cpuPct: number, delivered: number, others: number, loopP99: number } {
  const s = (b.at - a.at) / 1000
  const expected = b.expected - a.expected
  return { changesPerS: (b.changes - a.changes) / s, cpuPct: (b.cpuUs - a.cpuUs) / 1e4 / s, delivered: expected === 0 ? 0 : (b.delivered - a.delivered) / expected, others: b.others - a.others, loopP99: b.loopDelayP99Ms }
}

export function healthy (step: ScaleStep): boolean {
  if (step.error != null || step.window == null || step.subscribed == null) return false
  return bulk(step.window.bulk).delivered >= DELIVERED_AT_LEAST && step.subscribed.others >= DELIVERED_AT_LEAST * step.subscribed.othersOf
}

const HEADER = ['nodes', 'relays', 'desktop B/s in · out', 'desktop CPU %', 'desktop notifies/min', 'relay B/s in · out', 'relay CPU %', 'relay conns', 'others: changes/s, CPU % of a core, loop p99 ms', 'delivered (other notifies)', 'notify p50 · p95 · p99', 'subscribed (desktop, others)', 'start-up s', 'load', 'error']

const int = (v: number): string => Math.round(v).toLocaleString('en')

export function scaleRow (step: ScaleStep): string[] {
  const sub = step.subscribed == null ? '–' : `${step.subscribed.desktop}/${step.subscribed.desktopOf}, ${step.subscribed.others}/${step.subscribed.othersOf}`
  const head = [String(step.nodes), String(step.relays)]
  if (step.window == null) return [...head, ...Array(9).fill('–'), sub, String(step.startS ?? '–'), formatLoad(step.load), step.error ?? '']
  const d = rates(step.window.desktop)
  const r = rates(step.window.relay)
  const b = bulk(step.window.bulk)
  const minutes = (step.window.desktop[1].at - step.window.desktop[0].at) / 60_000
  return [...head, `${int(d.inBps)} · ${int(d.outBps)}`, String(round(d.cpuPct, 2)), String(round(step.window.notifies / minutes, 1)),
    `${int(r.inBps)} · ${int(r.outBps)}`, String(round(r.cpuPct, 2)), String(r.connections),
    `${round(b.changesPerS, 2)}, ${round(b.cpuPct, 0)} %, ${round(b.loopP99, 0)}`, `${round(b.delivered * 100, 1)} % (${b.others})`,
    formatTriple(summarize(step.window.bulk[1].latencies), 'ms'), sub, String(step.startS ?? '–'), formatLoad(step.load), step.error ?? '']
}

/** The model of "A model for 10⁴–10⁷ users" at this run's contacts and change rate: bytes/s of a desktop node, in + out */
function modelBps (plan: ScalePlan, step: ScaleStep): number {
  const perChange = 2_500
  const dhtPut = Math.min(20, step.relays) * 600
  return (step.contacts * perChange + step.contacts * perChange + dhtPut + 2 * 500) / plan.intervalS
}

export function scaleMarkdown (steps: ScaleStep[], plan: ScalePlan, started: Date): string {
  const ok = steps.filter(healthy)
  const broken = steps.find(s => !healthy(s))
  const desktop = ok.map(s => ({ n: s.nodes, bps: ((r: Rates) => r.inBps + r.outBps)(rates(s.window!.desktop)), cpu: rates(s.window!.desktop).cpuPct }))
  const relay = ok.map(s => ({ n: s.nodes, bps: ((r: Rates) => r.inBps + r.outBps)(rates(s.window!.relay)), conns: rates(s.window!.relay).connections }))
  const scaleTo10min = 600 / plan.intervalS
  return `## Scale simulation

Written by \`npm run bench -- scale\` (scripts/bench/scale.ts, scale-step.ts, scale-workload.ts, scale-report.ts) on
${started.toISOString()}, ${machine()}; load average ${loadavg()[0].toFixed(1)} at the end (each step's \`load\`: the
1-minute load average when its window began → ended; the machine is shared with other work).

What runs, per step of N nodes, all real presence-mesh nodes (\`createNode\`): one relay per ${100} users (a DHT
server, the bootstrap node and will holder of its share of the users); every user has **${plan.contacts} contacts**
drawn at random from the network and subscribes to them, and changes its availability every **${plan.intervalS} s** on
average (each change at 0.5–1.5 × that after the previous one, the first at a random moment: a status change every
few minutes, not compressed). Two nodes are measured, each alone in its process so that the process's CPU
(process.cpuUsage, all threads) and TCP sockets (every byte on the wire) are its own: **a desktop node** — a client
of the measured relay, watching ${plan.contacts} users drawn at random and watched by ${plan.contacts} — and **the relay**
(relay 0, a client share of about N / relays users). Everyone else runs in one more process, over @libp2p/memory
(no socket per connection). After subscribing, ${20} s to settle and ${20} s of changes, the window lasts ${plan.windowS} s.
\`others\`: the changes per second of the rest of the network, the CPU of its one process (all its nodes: its share
of the machine's 2 cores bounds the simulation) and its event-loop delay; \`delivered\`: the share of those changes'
notifications that reached their watchers in the window, and in brackets the notifications of other records of the
same presentities (a will published while its presentity lived — a death seen wrongly, as when a loop lags by
seconds — and the record that outbid it); \`notify\`: publish() called → the watcher's notify event.

${markdownTable(HEADER, steps.map(scaleRow))}

What this shows:

- ${desktop.length >= 2 ? '**The desktop node\'s cost as the network grows:**' : `**Whether the desktop node's cost stays flat is not shown by this run**: ${desktop.length} step${desktop.length === 1 ? '' : 's'} kept up.`} ${desktop.map(d => `${d.n} nodes: ${int(d.bps)} B/s, ${round(d.cpu, 2)} %`).join('; ')}
  (bytes in + out, CPU as a share of one core). It receives its contacts' changes and nothing of
  anyone else's; what it sends is its own change, pushed to its watchers, put in the DHT (on up to 20 relays, so
  that term grows with the relays up to 20 and then stops) and deposited as a will with its relay. The model of
  "A model for 10⁴–10⁷ users" gives, at each step's contacts and one change per ${plan.intervalS} s,
  ${steps.map(s => `${int(modelBps(plan, s))} B/s at ${s.nodes} nodes (${s.contacts} contacts)`).join(', ')} (a dial per push, 2.5 KB a change
  at each end). At one change per 10 minutes, as the model assumes, the change-driven part is ×${round(1 / scaleTo10min, 2)} of these.
- **The relay's cost against its clients:** ${relay.map(r => `${r.n} nodes: ${int(r.bps)} B/s with ${r.conns} connections`).join('; ') || 'no step worked'}.
  Up to 100 nodes it is the only relay and every user is its client; from 100 on each relay keeps about 100 clients
  and the network's growth adds relays, not load to this one (its DHT share: each change is put on up to 20 relays).
- ${broken == null ? `Every step tried kept up (at least ${DELIVERED_AT_LEAST * 100} % of the notifications delivered).` : `At ${broken.nodes} nodes the simulation stopped: ${broken.error ?? `${round((broken.window == null ? 0 : bulk(broken.window.bulk).delivered) * 100, 1)} % of the notifications delivered, ${broken.subscribed?.others ?? 0} of ${broken.subscribed?.othersOf ?? 0} subscriptions made`}. Larger steps were not tried.`}
  Every node but two shares one process and so one core at most, and this machine's 2 cores are shared with
  other work: the limit is the simulation's, not a node's — each real node has a core of its own and pays the
  desktop's or the relay's figures above alone.
`
}
