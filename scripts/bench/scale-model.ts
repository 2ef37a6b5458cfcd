/**
 * The model of a desktop node's and a relay's cost at 10⁴–10⁷ users, with
 * its assumptions as named constants and its per-change costs calibrated by
 * the scale simulation (scale.ts): the same formulas that project to 10⁷
 * users are fitted to the measured steps, so a model that did not describe
 * the simulation would show it in `calibrate`'s spread. Printed by
 * `npm run bench -- scale --model` and after every scale run.
 */
import { markdownTable, round } from '../mesh/stats.js'

/** Assumptions of the projection (not of the simulation, which sets its own contacts and change rate) */
export const ASSUMPTIONS = {
  /** An online user changes its presence once per 10 minutes */
  changeIntervalS: 600,
  /** Half of a user's contacts are online: only they change, and only they are pushed to */
  onlineShare: 0.5,
  /** Contacts watch back: a user has as many watchers as contacts */
  contacts: [100, 500],
  users: [1e4, 1e5, 1e6, 1e7],
  /** One relay (a DHT server, will holder) per this many users: the relays grow with the network */
  clientsPerRelay: 100,
  /** Relays each user leaves its will with */
  willHolders: 2
}

/** Protocol figures that are not fitted: kad-dht's replication and the sizes measured by the push bench (docs/BENCHMARKS.md) */
export const DHT_REPLICAS = 20
export const DHT_PUT_BYTES = 600
export const WILL_BYTES = 500
/** A desktop node's cost at rest: its pings to its relay (the idle bench's 0-contact row, in + out) */
export const DESKTOP_IDLE_BPS = 22

/** What the simulation measured, per change: the model's free parameters */
export interface Calibration {
  /** Bytes, in + out at one end, of one change seen by one watcher (the push, its dial and answer) */
  bytesPerPush: number
  /** The desktop node's CPU, % of a core: at rest, and per byte/s on top */
  desktopCpuIdlePct: number
  desktopCpuPerBps: number
  /** Bytes at a relay of one change in its DHT share (the put, the lookups, its clients' wills) */
  relayBytesPerChange: number
  /** The relay's CPU, % of a core: at rest, and per byte/s on top */
  relayCpuIdlePct: number
  relayCpuPerBps: number
  /** Where the figures come from */
  source: string
}

/** The 10-node run of 2026-12-02 (docs/design/015-scale-simulation.md), until a run calibrates it again */
export const DEFAULT_CALIBRATION: Calibration = { bytesPerPush: 1_880, desktopCpuIdlePct: 0, desktopCpuPerBps: 0.5 / 198, relayBytesPerChange: 6_360, relayCpuIdlePct: 0, relayCpuPerBps: 0.5 / 318, source: '10 nodes, 2026-12-02' }

/** The conditions a desktop node or relay is in, in the simulation or the projection */
export interface Conditions {
  contacts: number
  changeIntervalS: number
  onlineShare: number
  /** Relays of the whole network (each a DHT server) */
  relays: number
  /** Users of the whole network */
  users: number
}

/** Bytes/s that do not depend on the fitted bytesPerPush: rest, the own change's DHT put and wills */
function desktopFixedBps (c: Conditions): number {
  return DESKTOP_IDLE_BPS + (Math.min(DHT_REPLICAS, c.relays) * DHT_PUT_BYTES + ASSUMPTIONS.willHolders * WILL_BYTES) / c.changeIntervalS
}

/** Pushes per second at one desktop node, either way: its online contacts' changes in, its own change out to its online watchers */
function desktopPushesPerS (c: Conditions): number {
  return 2 * c.onlineShare * c.contacts / c.changeIntervalS
}

/** A desktop node's bytes/s, in + out: the network's size enters only through min(20, relays) */
export function desktopBps (c: Conditions, cal: Calibration): number {
  return desktopFixedBps(c) + desktopPushesPerS(c) * cal.bytesPerPush
}

/** Changes per second that reach one relay as one of each record's DHT_REPLICAS servers */
function relayChangesPerS (c: Conditions): number {
  return c.users * c.onlineShare / c.changeIntervalS * Math.min(1, DHT_REPLICAS / c.relays)
}

/** A relay's bytes/s, in + out, its clients reachable directly */
export function relayBps (c: Conditions, cal: Calibration): number {
  return relayChangesPerS(c) * cal.relayBytesPerChange
}

/** What a relay adds when every one of its `clients` is firewalled: each push to or from them passes through it, in and out */
export function relayCircuitBps (c: Conditions, clients: number, cal: Calibration): number {
  return clients * 2 * desktopPushesPerS(c) * cal.bytesPerPush
}

/** The projection's conditions: ASSUMPTIONS at `users` and `contacts` */
export function projected (users: number, contacts: number): Conditions {
  return { users, contacts, changeIntervalS: ASSUMPTIONS.changeIntervalS, onlineShare: ASSUMPTIONS.onlineShare, relays: Math.max(1, Math.ceil(users / ASSUMPTIONS.clientsPerRelay)) }
}

/** One measured step of the simulation: everyone online, the measured desktop and relay's figures */
export interface Measured extends Conditions {
  /** Pushes the desktop node made and received per second, counted (its own changes come 20 at once: a window holds 0 or 1) */
  desktopPushesPerS?: number
  desktopBps: number
  desktopCpuPct: number
  relayBps: number
  relayCpuPct: number
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)]
}

/**
 * CPU against bytes, % of a core: a least-squares line where the steps differ in bytes and it
 * rises; otherwise (one step, or noise on a shared machine) the line through the origin and the
 * steps' median ratio, which charges the CPU at rest to the bytes (an upper bound)
 */
export function cpuLine (points: Array<{ bps: number, cpuPct: number }>): { idlePct: number, perBps: number } {
  const n = points.length
  const mx = points.reduce((sum, p) => sum + p.bps, 0) / n
  const my = points.reduce((sum, p) => sum + p.cpuPct, 0) / n
  const sxx = points.reduce((sum, p) => sum + (p.bps - mx) ** 2, 0)
  const slope = sxx === 0 ? 0 : points.reduce((sum, p) => sum + (p.bps - mx) * (p.cpuPct - my), 0) / sxx
  const idlePct = my - slope * mx
  if (slope > 0 && idlePct >= 0) return { idlePct, perBps: slope }
  return { idlePct: 0, perBps: median(points.map(p => p.cpuPct / p.bps)) }
}

/**
 * The model's parameters from the simulation: each step solved for them, then the median (`spread`:
 * each step's bytesPerPush, over the pushes counted in its window where the step counted them)
 */
export function calibrate (steps: Measured[], source: string): (Calibration & { spread: number[] }) | undefined {
  if (steps.length === 0) return undefined
  const spread = steps.map(s => Math.max(0, s.desktopBps - desktopFixedBps(s)) / (s.desktopPushesPerS ?? desktopPushesPerS(s)))
  return {
    bytesPerPush: median(spread),
    ...((line) => ({ desktopCpuIdlePct: line.idlePct, desktopCpuPerBps: line.perBps }))(cpuLine(steps.map(s => ({ bps: s.desktopBps, cpuPct: s.desktopCpuPct })))),
    relayBytesPerChange: median(steps.map(s => s.relayBps / relayChangesPerS(s))),
    ...((line) => ({ relayCpuIdlePct: line.idlePct, relayCpuPerBps: line.perBps }))(cpuLine(steps.map(s => ({ bps: s.relayBps, cpuPct: s.relayCpuPct })))),
    source,
    spread
  }
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹'
/** 10⁶ for 1e6 */
const power = (n: number): string => `10${String(Math.round(Math.log10(n))).split('').map(d => SUPERSCRIPT[Number(d)]).join('')}`
const kB = (bps: number): string => `${round(bps / 1000, 2)} kB/s`

/** The table of docs/BENCHMARKS.md's "Scale simulation": desktop and relay at 10⁴–10⁷ users × 100 and 500 contacts */
export function modelMarkdown (cal: Calibration = DEFAULT_CALIBRATION): string {
  const a = ASSUMPTIONS
  const rows = a.contacts.flatMap(k => a.users.map(n => {
    const c = projected(n, k)
    const d = desktopBps(c, cal)
    const r = relayBps(c, cal)
    return [power(n), String(k), kB(d), `${round(cal.desktopCpuIdlePct + d * cal.desktopCpuPerBps, 2)} %`, kB(r), `${round(cal.relayCpuIdlePct + r * cal.relayCpuPerBps, 2)} %`, kB(r + relayCircuitBps(c, a.clientsPerRelay, cal))]
  }))
  return `### The model, calibrated (scripts/bench/scale-model.ts)

Calibration: ${cal.source} — ${round(cal.bytesPerPush, 0)} B per push at each end (a dial, the record, the answer),
${round(cal.relayBytesPerChange, 0)} B at a relay per change in its DHT share (the put, lookups, its clients' wills: an
upper bound, since pings are charged to changes); CPU, % of a core, as measured: desktop
${round(cal.desktopCpuIdlePct, 2)} % + ${round(cal.desktopCpuPerBps * 1000, 2)} % per kB/s, relay ${round(cal.relayCpuIdlePct, 2)} % + ${round(cal.relayCpuPerBps * 1000, 2)} % per kB/s (scripts/bench/scale-model.ts, cpuLine). Assumptions: a change per
${a.changeIntervalS / 60} minutes while online, ${a.onlineShare * 100} % of contacts online, contacts watch back, one relay (a DHT server
and will holder) per ${a.clientsPerRelay} users, ${a.willHolders} will holders, a DHT put to ${DHT_REPLICAS} servers of ${DHT_PUT_BYTES} B each, ${DESKTOP_IDLE_BPS} B/s at rest.

    desktop B/s = ${DESKTOP_IDLE_BPS} + (min(${DHT_REPLICAS}, relays) · ${DHT_PUT_BYTES} + ${a.willHolders} · ${WILL_BYTES}) / T + 2 · f · k / T · bytesPerPush
    relay B/s   = N · f / T · min(1, ${DHT_REPLICAS} / relays) · bytesPerChange  =  ${DHT_REPLICAS} · clients · f / T · bytesPerChange  (relays = N / ${a.clientsPerRelay})

No term of the desktop grows with N once there are ${DHT_REPLICAS} relays; the relay's is linear in its own clients.

${markdownTable(['users N', 'contacts k', 'desktop B/s', 'desktop CPU', `relay B/s (${a.clientsPerRelay} clients)`, 'relay CPU', 'relay, all clients firewalled'], rows)}
`
}
