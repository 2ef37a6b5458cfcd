/**
 * The idle bench's figures (idle.ts) as rates, printed and written as the
 * "Idle cost" section of docs/BENCHMARKS.md. The rest of that file belongs
 * to the main bench and is kept as it is; the main bench keeps this section.
 */
import { loadavg } from 'node:os'
import { formatRatio, markdownTable, round, summarize, textTable } from '../mesh/stats.js'
import { DEFAULT_SETTINGS } from '../../src/node/config.js'
import { formatLoad, machine, writeSection } from './report.js'
import type { IdlePlan, IdleRun, Side } from './idle.js'
import type { ProbeSnapshot } from './idle-probe.js'

const HEADING = '## Idle cost'
const MIB = 1024 * 1024

interface Rates { bytesIn: number, bytesOut: number, messages: number, cpu: number }

const streamCount = (s: ProbeSnapshot): number => Object.values(s.streams).reduce((a, b) => a + b, 0)

/** Per-second rates between two snapshots; cpu as a share of one core, in % */
function rates (a: ProbeSnapshot, b: ProbeSnapshot): Rates {
  const seconds = (b.at - a.at) / 1000
  return {
    bytesIn: (b.bytesIn - a.bytesIn) / seconds,
    bytesOut: (b.bytesOut - a.bytesOut) / seconds,
    messages: (streamCount(b) - streamCount(a)) / seconds,
    cpu: (b.cpuUs - a.cpuUs) / 1e4 / seconds
  }
}

/** Rates over the whole window: idle traffic is periodic (pings every 10 s), so whole periods, not intervals */
function windowRates (side: Side): Rates {
  return rates(side.snapshots[0], side.snapshots[side.snapshots.length - 1])
}

/** Median and largest sample interval of bytes in + out and CPU: is the window's mean a steady state or one burst? */
function spread (side: Side): string {
  const intervals = side.snapshots.slice(1).map((s, i) => rates(side.snapshots[i], s))
  const bytes = summarize(intervals.map(r => r.bytesIn + r.bytesOut))
  const cpu = summarize(intervals.map(r => r.cpu))
  return `${Math.round(bytes?.p50 ?? NaN)} / ${Math.round(bytes?.p99 ?? NaN)} B/s, ${cpu?.p50 ?? NaN} / ${cpu?.p99 ?? NaN} %`
}

/** What opened streams over the whole window, per second, busiest first */
function breakdown (side: Side): string {
  const first = side.snapshots[0]
  const last = side.snapshots[side.snapshots.length - 1]
  const seconds = (last.at - first.at) / 1000
  const parts = Object.entries(last.streams)
    .map(([key, n]) => [key, (n - (first.streams[key] ?? 0)) / seconds] as const)
  return parts.filter(([, rate]) => rate > 0).sort((x, y) => y[1] - x[1])
    .map(([key, rate]) => `${key.replace(/^(in|out) /, '$1 ')} ${round(rate, 2)}/s`).join(', ') || 'nothing'
}

const HEADER = ['contacts (online + offline)', 'node', 'bytes/s in · out', 'messages/s', 'CPU, % of a core', 'intervals: median / max of bytes in+out, CPU', 'RSS', 'connections', 'load']

function rows (run: IdleRun): string[][] {
  const who = `${run.contacts} (${run.online} + ${run.offline})`
  const line = (name: string, side: Side): string[] => {
    const m = windowRates(side)
    const end = side.snapshots[side.snapshots.length - 1]
    return [who, name, `${Math.round(m.bytesIn)} · ${Math.round(m.bytesOut)}`, String(round(m.messages, 2)), String(round(m.cpu, 2)),
      spread(side), `${round(end.rss / MIB, 0)} MiB`, `${side.snapshots[0].connections} → ${end.connections}`, formatLoad(run.load)]
  }
  const o = windowRates(run.ours)
  const p = windowRates(run.plain)
  const [oe, pe] = [run.ours, run.plain].map(s => s.snapshots[s.snapshots.length - 1])
  return [
    line('ours', run.ours),
    line('plain libp2p', run.plain),
    [who, 'ratio', `${formatRatio(o.bytesIn, p.bytesIn)} · ${formatRatio(o.bytesOut, p.bytesOut)}`, formatRatio(o.messages, p.messages), formatRatio(o.cpu, p.cpu), '', formatRatio(oe.rss, pe.rss), '', '', '']
  ]
}

export function printIdle (runs: IdleRun[]): void {
  console.log(`\n${textTable(HEADER, runs.flatMap(rows))}\n`)
  for (const run of runs) console.log(`${run.contacts} contacts, ours: ${breakdown(run.ours)}\n${run.contacts} contacts, plain: ${breakdown(run.plain)}`)
}

export interface IdleRunInfo { startedAt: Date, durationS: number, loadAtStart: number }

function section (runs: IdleRun[], plan: IdlePlan, info: IdleRunInfo): string {
  return `${HEADING}

Written by \`npm run bench -- idle\` (scripts/bench/idle*.ts); rerun it rather than editing this section.

- **When**: ${info.startedAt.toISOString()} (${Math.round(info.durationS)} s)
- **Machine**: ${machine()}
- **Load average** (1 min): ${info.loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end (shared machine: read medians and ratios)

What ran, all on 127.0.0.1: one bootstrap node — a community relay (holding every node's will, as a real mesh's relays do) and the
mesh's only DHT server: every other node joins through it, so it only asks the DHT (\`dhtServer: "auto"\`); ${Math.max(0, ...runs.map(r => r.online))} online contacts, real
presence-mesh nodes (createNode(), each its own identity, DHT and presence), ${plan.contactsPerProcess} to a
process (scripts/bench/idle-contacts.ts); offline contacts are identities whose nodes never run. For each contact
count, a fresh measured node (\`ours\`: createNode() with a home on disk, what \`pmesh start\` runs, less its silent
control API) subscribes to every contact, and the online contacts subscribe back to it (contacts watch each other).
After ${plan.settleS} s, a fresh plain libp2p node (our node's libp2p, built by the same options builder from the same settings,
src/node/libp2p-options.ts, with its LevelDB in a home directory as ours has; no presence, messaging or mailbox
service) dials every peer ours
is connected to; after a ${plan.warmupS} s warm-up both are measured side by side for ${plan.windowS} s, each alone in its
process (scripts/bench/idle-node.ts). Every node accepts up to 1,000 inbound connections a second from one address
and lets one address hold all its handshake slots (the per-address limits would be shared by the whole mesh on 127.0.0.1). Online contacts are capped at ${plan.onlineCap}: more real nodes than that do not run
on 2 cores, so 500 contacts are ${runs.find(r => r.contacts === 500)?.online ?? '–'} online + ${runs.find(r => r.contacts === 500)?.offline ?? '–'} offline, not half and half.

How it is counted (scripts/bench/idle-probe.ts), as rates over the whole window (idle traffic comes in bursts — a
ping per connection every ${DEFAULT_SETTINGS.pingInterval} s, DHT queries, new connections — so short intervals jump; the ${plan.sampleS} s sample
intervals' median and maximum show whether the mean is a steady state or one burst): **bytes** are the process's TCP
socket counters (everything libp2p puts on the wire); **messages** are protocol streams opened either way (each
one request/response: ping, identify, a DHT hop, a will, a subscribe, a push);
**CPU** is process.cpuUsage() (all threads) as a share of one core; **RSS** at the end of the window;
**connections** at the start → end of the window; **load**: the 1-minute load average at the start → end of the window. Ratio = ours / plain.

${markdownTable(HEADER, runs.flatMap(rows))}

Where the messages come from (whole window, per second; \`in\`/\`out\`: who opened the stream):

${runs.map(run => `- ${run.contacts} contacts, ours: ${breakdown(run.ours)}\n- ${run.contacts} contacts, plain: ${breakdown(run.plain)}`).join('\n')}
`
}

/** Replace (or add) the Idle cost section of docs/BENCHMARKS.md */
export async function writeIdleSection (path: string, runs: IdleRun[], plan: IdlePlan, info: IdleRunInfo): Promise<void> {
  await writeSection(path, 'idle', section(runs, plan, info))
}
