/**
 * The bench's results as a terminal table and as docs/BENCHMARKS.md: each
 * figure beside its raw-libp2p baseline and their ratio (ours / raw, so
 * 1.0 means no overhead). Rows that cannot be measured yet say so.
 */
import { cpus, loadavg, release, totalmem } from 'node:os'
import { readFile, writeFile } from 'node:fs/promises'
import { formatRatio, formatTriple, markdownTable, textTable } from '../mesh/stats.js'
import type { Pair } from './figures.js'

export interface Row {
  figure: string
  unit: 'ms' | 'µs' | 'MiB' | 'msg/s'
  /** What the baseline is, in a few words */
  baseline: string
  pair?: Pair
  /** Why the row has no numbers */
  missing?: string
  /** 1-minute load average when its measurement began and ended (the machine is shared) */
  load?: Load
  /** An issue's goal for the figure: ours / raw at the p50 at most `maxRatio`, or ours' p50 at least `minOurs` */
  goal?: { maxRatio?: number, minOurs?: number }
}

/** The 1-minute load average around one measurement */
export interface Load { start: number, end: number }

/** The 1-minute load average now */
export function loadNow (): number {
  return loadavg()[0]
}

/** Run `measure` and say what the load average was around it */
export async function withLoad<T> (measure: () => Promise<T>): Promise<{ result: T, load: Load }> {
  const start = loadNow()
  const result = await measure()
  return { result, load: { start, end: loadNow() } }
}

export function formatLoad (load?: Load): string {
  return load == null ? '–' : `${load.start.toFixed(1)} → ${load.end.toFixed(1)}`
}

export interface RunInfo {
  mode: 'quick' | 'full'
  startedAt: Date
  durationS: number
  /** 1-minute load average when the run began: how busy the shared machine was */
  loadAtStart: number
  sizes: { open: number, closed: number, message: number }
}

const HEADER = ['figure', 'n (ours/raw)', 'ours p50 · p95 · p99', 'raw libp2p p50 · p95 · p99', 'ratio p50 · p95 · p99', 'baseline', 'load']

function cells (row: Row): string[] {
  if (row.missing != null) return [row.figure, '–', row.missing, '', '–', row.baseline, formatLoad(row.load)]
  const { ours, raw } = row.pair ?? {}
  const ratios = ours != null && raw != null
    ? `${formatRatio(ours.p50, raw.p50)} · ${formatRatio(ours.p95, raw.p95)} · ${formatRatio(ours.p99, raw.p99)}`
    : '–'
  return [row.figure, `${ours?.n ?? 0}/${raw?.n ?? 0}`, formatTriple(ours, row.unit), formatTriple(raw, row.unit), ratios, row.baseline, formatLoad(row.load)]
}

/** The rows as a markdown table, for a section of docs/BENCHMARKS.md */
export function markdownRows (rows: Row[]): string {
  return markdownTable(HEADER, rows.map(cells))
}

/** Each goal of the rows, with this run's p50 and whether it is met */
export function goalLines (rows: Row[]): string[] {
  return rows.flatMap(row => {
    const { ours, raw } = row.pair ?? {}
    if (row.goal == null || ours == null) return []
    const load = `load ${formatLoad(row.load)}`
    if (row.goal.minOurs != null) {
      const met = ours.p50 >= row.goal.minOurs ? 'met' : 'not met'
      return [`- ${row.figure}: ${ours.p50} ${row.unit} (raw ${raw?.p50 ?? '–'}), goal ≥ ${row.goal.minOurs.toLocaleString('en')} — **${met}** (${load})`]
    }
    if (row.goal.maxRatio == null || raw == null) return []
    const met = ours.p50 <= raw.p50 * row.goal.maxRatio ? 'met' : 'not met'
    return [`- ${row.figure}: ${formatRatio(ours.p50, raw.p50)} (${ours.p50} against ${raw.p50} ${row.unit}), goal ≤ ×${row.goal.maxRatio} — **${met}** (${load})`]
  })
}

export function printTable (rows: Row[]): void {
  console.log(`\n${textTable(HEADER, rows.map(cells))}\n`)
}

export function machine (): string {
  const cpu = cpus()
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB memory, Linux ${release()}, Node ${process.version}`
}

function goals (rows: Row[]): string {
  const lines = goalLines(rows)
  return lines.length === 0 ? '' : `\nGoals of issue 18 in this run, at the p50 (design record 007 says where the time goes, and why
the latency goals are out of reach with four Ed25519 operations on a message's path):\n\n${lines.join('\n')}\n`
}

/**
 * Sections other bench modes write (scale.ts) live between these markers;
 * a full run keeps them as they are.
 */
const KEPT_SECTION = /<!-- section:([\w-]+) -->[\s\S]*?<!-- \/section:\1 -->/g

/** Put `body` between the markers of section `name` in the file, replacing an older one or appending */
export async function writeSection (path: string, name: string, body: string): Promise<void> {
  const begin = `<!-- section:${name} -->`
  const end = `<!-- /section:${name} -->`
  const old = await readFile(path, 'utf8').catch(() => '')
  const block = `${begin}\n${body.trim()}\n${end}`
  const at = old.indexOf(begin)
  const text = at >= 0 ? old.slice(0, at) + block + old.slice(old.indexOf(end, at) + end.length) : `${old.trimEnd()}\n\n${block}\n`
  await writeFile(path, text)
}

/**
 * Put these rows into the main table of the file in place of the rows of the
 * same figures (or after its last row), leaving every other row as it was:
 * `--only presence` refreshes its figures without rerunning the others
 */
export async function replaceRows (path: string, rows: Row[]): Promise<void> {
  const lines = (await readFile(path, 'utf8')).split('\n')
  const head = lines.findIndex(line => line.startsWith(`| ${HEADER[0]} |`))
  if (head < 0) throw new Error(`${path} has no table of figures to update`)
  let end = head + 2
  while (lines[end]?.startsWith('| ') === true) end++
  const table = markdownRows(rows).split('\n').slice(2)
  // a new figure goes after the one before it in `rows`, so that a section's figures stay together
  let after = end - 1
  for (const [i, row] of rows.entries()) {
    const at = lines.slice(head + 2, end).findIndex(line => line.startsWith(`| ${row.figure} |`))
    if (at >= 0) {
      after = head + 2 + at
      lines[after] = table[i]
    } else {
      lines.splice(++after, 0, table[i])
      end++
    }
  }
  await writeFile(path, lines.join('\n'))
}

export async function writeMarkdown (path: string, rows: Row[], run: RunInfo): Promise<void> {
  const kept = (await readFile(path, 'utf8').catch(() => '')).match(KEPT_SECTION) ?? []
  const text = `# Benchmarks

Written by \`npm run bench\` (scripts/bench/); rerun it rather than editing this file.

- **When**: ${run.startedAt.toISOString()} (${run.mode} run, ${Math.round(run.durationS)} s)
- **Machine**: ${machine()}
- **Load average** (1 min): ${run.loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end. The machine
  is shared: other work ran beside the bench, so read medians and ratios, and treat a single
  run's tails (p95, p99) with care.

Every figure is measured in the same run as its baseline, on 127.0.0.1, with each node in its own
process: ours are real \`pmesh start\` processes driven through their control API, the baseline are
plain libp2p processes (scripts/bench/raw-node.ts) driven over IPC: our node's libp2p, built by the
same options builder as \`createNode()\` (src/node/libp2p-options.ts) from the settings the same
\`pmesh start\` flags give — transports, Noise, Yamux, connection manager, monitor and gater, stream
limits, identify, ping, kad-dht in the same role, DCUtR, the relay server on relays — with
a LevelDB datastore in a fresh directory, as a pmesh home's, and none of the presence, mailbox and
messaging services. Times are taken in the bench
process, on one clock. Ratio = ours / raw libp2p. With few samples p95 and p99 are the maximum.
Load: the 1-minute load average when the figure's section (ours, then its baseline) began → ended.

${markdownTable(HEADER, rows.map(cells))}
${goals(rows)}
How each figure is taken:

- **Presence notify**: a presentity and N watchers, bootstrapped from one more node, a community
  relay (which holds the presentity's will); every watcher subscribes (which connects it to the
  presentity). The presentity changes its availability
  (\`PUT /v1/presence\`); latency = request sent → \`presence:notify\` arriving on each watcher's
  event stream (SSE), one sample per watcher per change; a first change is a warm-up and is not
  counted. Baseline: the same topology of raw nodes — every node bootstrapped from a raw relay,
  then every connection ours had while measured (read from each node's
  \`GET /v1/peers\` after the samples) dialled between the raw nodes standing for its two ends — and
  the publisher opening a stream to each subscriber and writing a ${run.sizes.open}-byte payload
  (the size of a signed open record) → each subscriber's handler, relayed over IPC. The handler
  hands the payload over as soon as it is read and closes its stream after, as presence notifies
  before closing (design record 016). Ours includes
  signing, validation, the HTTP request and the SSE hop (about 1 ms together); the baseline's IPC
  hops cost a fraction of that. **One process** rows: the same with every node in the bench's own
  process (createNode() and raw nodes from the same builder; scripts/bench/push-bench.ts), so that
  100 watchers fit on 2 cores; latency = \`publish()\` called → each watcher's \`notify\` event.
- **Offline fetch**: the presentity stops (SIGTERM); every other node then fetches its record
  (\`GET /v1/presence/:uri\`, which always runs a DHT query), several rounds. Baseline: the publisher
  puts a ${run.sizes.closed}-byte value (the size of the closed goodbye record) with kad-dht, stops,
  and every other node runs a kad-dht get, drained to the end as presence's fetch does.
- **Memory**: resident set size (/proc/PID/status VmRSS) of every node of the presence mesh right
  after the latency run, one sample per node.
- **Message send → receipt**: seven nodes — two relays (also the bootstrap nodes), a presentity,
  two peers, two firewalled nodes. Direct: one peer sends the other a ${run.sizes.message}-byte message envelope
  (a 140-character text), one at a time, after a first message that dials (not counted); latency =
  \`POST /v1/messages\` sent → the sender's \`im:receipt\` event (the recipient's signed ack has been
  verified and the outcome stored). Through a relay: the same between the two firewalled nodes,
  which share no direct connection (checked on every message). Ours includes signing and verifying
  the message and the ack, the datastore writes before the ack (an ack promises the message
  survives a crash), the HTTP request and the SSE hop. Baseline: the same topology of raw nodes;
  a long-lived stream on the open connection (direct, or a circuit-relay v2 connection), as our
  messages travel since protocol 2.0.0, a ${run.sizes.message}-byte payload written and echoed back on it, timed
  through IPC as ours is through HTTP.
- **Messages/s on one connection**: the same two peers; a burst of messages, 16 in flight
  (\`POST /v1/messages\`, each answered once delivered), a few rounds; one sample per round.
  Baseline: the same number of echoes of the same payload size, 16 in flight, on one long-lived
  stream. Here a ratio below ×1 is ours being slower.
- **Messaging goals, in-process** (scripts/bench/messaging-fast.ts): our nodes are im-node.ts
  processes (createNode with a home, as \`pmesh start\`) driven over IPC, \`send()\` timed where it is
  called; the baseline raw-node.ts processes with a long-lived echo stream. A relay, two peers and
  two firewalled nodes on each side; ours are stopped before the baseline starts. Direct and
  relayed: one message at a time, \`send()\` → verified receipt (goals ×1.5 and ×1.2 of the echo
  round trip). Through the HTTP API: the sending node also serves its control API (as \`pmesh
  start\`), and the bench process times \`POST /v1/messages\` → its answer (\`delivered\` means the
  verified receipt is in), goal ×1.5; the baseline is the same POST from the same client to a bare
  node:http server in the raw node that answers after one echo on its long-lived stream — the HTTP
  exchange around a raw round trip. The row "vs an echo over IPC" sets the same figure of ours
  beside an echo the bench asks for over IPC, the baseline until 2026-12-03, which left the HTTP
  exchange out. Messages/s: bursts of messages, 64 in flight on one connection (goal ≥ 4,000/s),
  and the recipient's CPU time per message (process.cpuUsage, everything the process did in the
  burst) beside the echoing process's per echo. Mailbox drain: messages left at the relay for a node
  that is offline, then the node starts: start → the last one stored in its inbox (every one
  checked and stored; the acks, one per sender and drained batch, sealed and returned to the
  mailbox in the background).
- **SIGKILL → watchers see closed**: the presentity of the same mesh, watched by the four other
  non-relay nodes, is killed with SIGKILL, restarted, killed again, several times; latency =
  \`kill()\` → each watcher's \`presence:notify\` with \`closed\`. The floor libp2p sets is the time
  a node needs to notice that the connection closed: baseline = SIGKILL of a raw node → the
  \`peer:disconnect\` event on each raw node connected to it. Ours then waits \`willGrace\` (2 s)
  on purpose — a connection back within 2 s is a blip, not a death — before a will holder
  pushes the pre-signed "closed" record to the watchers; expect about 2 s plus a push, so the ratio is large
  by design. A silent network loss (no reset) is noticed by the will holders' connection monitors
  instead — the relays', every 30 s by default: within about 39 s (docs/ARCHITECTURE.md, "Out of
  contact"); not measured here.

Not measured here:

- **50 watchers**: \`npm run bench -- --large\` measures it with one process per node, but 52 node
  processes are more than a 2-core machine runs: tried here, start-ups grew past 30 s and the load
  average reached 30 while the mesh was still forming. In-process nodes were tried too (5, 12 and 25
  nodes per process, ours and raw alike): from 12 per process on, dials to the presentity or
  publisher were reset (libp2p resets inbound connections beyond 10 pending, and dozens of joining
  nodes dial each other through the DHT) and no notification arrived at all (that was with gossip).
  \`npm run bench -- scale\` (below) is the in-process simulation done with the connection limits
  that avoid this.
${kept.length > 0 ? `\n${kept.join('\n\n')}\n` : ''}`
  await writeFile(path, text)
}
