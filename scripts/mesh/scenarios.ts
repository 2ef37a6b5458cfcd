/**
 * What `npm run mesh` runs on a started mesh. One presentity (the first
 * plain peer) is watched by every other non-bootstrap node; each scenario
 * times what those watchers see, on the driver's clock (see mesh.ts).
 */
import { performance } from 'node:perf_hooks'
import { messages, relayedMessages } from './messaging.js'
import { summarize, type Summary } from './stats.js'
import { presentityOf, watchersOf, type Mesh, type StampedEvent } from './mesh.js'

export interface ScenarioResult {
  name: string
  status: 'ok' | 'failed' | 'skipped'
  /** Latency figures in ms */
  figures: Record<string, Summary | undefined>
  checks: Record<string, boolean>
  notes: string[]
}

export interface ScenarioContext {
  mesh: Mesh
  log: (line: string) => void
  /** Status changes in the presence scenario */
  changes: number
  /** Fetches per node in the offline-fetch scenario. Default: 1 */
  fetchRounds?: number
  /** Messages per messaging scenario, after a first one that dials. Default: 20 */
  messages?: number
  /** SIGKILLs in the kill scenario, the presentity restarted in between. Default: 1 */
  kills?: number
}

export type Scenario = (ctx: ScenarioContext, result: ScenarioResult) => Promise<void>

const NOTIFY_TIMEOUT_MS = 10_000
/** Wills are published 2 s after the connection drops; allow for a slow, loaded machine */
const CLOSED_TIMEOUT_MS = 20_000
const SUBSCRIPTION_S = 900
/**
 * After subscribing, the presentity registers each watcher and the will
 * holders get the new watcher list (at most every 2 s): we measure the
 * steady state, after that has settled.
 */
export const SETTLE_MS = 3_000
/**
 * A presentity hands each change's will to its holders just after the
 * change; killed within that window, it leaves them holding the previous,
 * stale will, which watchers refuse as a replay, and nobody ever sees it
 * closed (seen here when SIGKILL followed the last change by a few ms). The
 * kill scenario waits this long, to time detection rather than that race.
 */
const WILL_SETTLE_MS = 1_000
const AVAILABILITIES = ['busy', 'away', 'available', 'idle', 'do-not-disturb']

const notifyOf = (peerId: string, match: (data: any) => boolean, after: number) => (e: StampedEvent): boolean =>
  e.type === 'presence:notify' && e.data.peerId === peerId && e.at >= after && match(e.data)

/** Every watcher subscribed to the presentity (once per mesh: a second subscription is refused) */
async function ensureWatching (ctx: ScenarioContext): Promise<void> {
  const presentity = presentityOf(ctx.mesh)
  const added = await Promise.all(watchersOf(ctx.mesh).map(async watcher => {
    const { subscriptions } = await watcher.api('GET', '/v1/subscriptions')
    if (subscriptions.some((s: any) => s.peerId === presentity.peerId)) return 0
    const response = await watcher.api('POST', '/v1/subscriptions', { target: presentity.uri, duration: SUBSCRIPTION_S })
    if (response.status !== 'success') throw new Error(`${watcher.name}: subscription refused: ${response.reason}`)
    return 1
  }))
  const count = added.reduce<number>((a, b) => a + b, 0)
  if (count === 0) return
  ctx.log(`  ${count} watchers subscribed to ${presentity.name}; letting registrations and will lists settle for ${SETTLE_MS} ms`)
  await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
}

/** Latency from `t0` to each watcher's first matching notify; missing watchers are counted, not timed */
async function timeWatchers (ctx: ScenarioContext, match: (e: StampedEvent) => boolean, t0: number, timeoutMs: number): Promise<{ latencies: number[], missing: string[] }> {
  const seen = await Promise.all(watchersOf(ctx.mesh).map(async w => ({ w, event: await w.waitForEvent(match, timeoutMs) })))
  return {
    latencies: seen.flatMap(({ event }) => event == null ? [] : [event.at - t0]),
    missing: seen.filter(({ event }) => event == null).map(({ w }) => w.name)
  }
}

const presence: Scenario = async (ctx, result) => {
  await ensureWatching(ctx)
  const presentity = presentityOf(ctx.mesh)
  const latencies: number[] = []
  const lastWatcher: number[] = []
  const putTimes: number[] = []
  let missed = 0
  // change 0 is a warm-up, not counted: right after subscribing the first push may need a new connection
  for (let i = 0; i <= ctx.changes; i++) {
    const availability = AVAILABILITIES[i % AVAILABILITIES.length]
    // the clock starts before the request: PUT answers only after the pushes went out and the DHT put had up to 3 s
    const t0 = performance.now()
    const view = await presentity.api('PUT', '/v1/presence', { basic: 'open', availability })
    const putMs = performance.now() - t0
    const seen = await timeWatchers(ctx, notifyOf(presentity.peerId, d => d.seq === view.seq, t0), t0, NOTIFY_TIMEOUT_MS)
    if (i === 0) {
      ctx.log(`  warm-up change: ${seen.latencies.length} watchers in ≤ ${Math.round(Math.max(0, ...seen.latencies))} ms (not counted)`)
      continue
    }
    latencies.push(...seen.latencies)
    putTimes.push(putMs)
    if (seen.latencies.length > 0) lastWatcher.push(Math.max(...seen.latencies))
    missed += seen.missing.length
    ctx.log(`  change ${i}/${ctx.changes} → ${availability}: ${seen.latencies.length} watchers in ≤ ${Math.round(Math.max(0, ...seen.latencies))} ms${seen.missing.length > 0 ? `, missed by ${seen.missing.join(', ')}` : ''}`)
  }
  result.figures['notify latency per watcher'] = summarize(latencies)
  result.figures['notify latency, last watcher'] = summarize(lastWatcher)
  result.figures['PUT /v1/presence round trip'] = summarize(putTimes)
  result.checks['every watcher saw every change'] = missed === 0
  result.notes.push('latency = PUT /v1/presence sent → presence:notify arrives on the watcher\'s SSE stream, both in this process (HTTP + SSE add about 1 ms)')
}

const kill: Scenario = async (ctx, result) => {
  await ensureWatching(ctx)
  const presentity = presentityOf(ctx.mesh)
  const latencies: number[] = []
  const missing = new Set<string>()
  for (let round = 0; round < (ctx.kills ?? 1); round++) {
    // each round after the first brings the presentity back and waits until every watcher saw it open
    if (!presentity.running) {
      const t0 = performance.now()
      await ctx.mesh.launch(presentity)
      await timeWatchers(ctx, notifyOf(presentity.peerId, d => d.basic === 'open', t0), t0, CLOSED_TIMEOUT_MS)
    }
    await new Promise(resolve => setTimeout(resolve, WILL_SETTLE_MS))
    const t0 = performance.now()
    await ctx.mesh.stop(presentity, 'SIGKILL')
    ctx.log(`  SIGKILL sent to ${presentity.name}; waiting for every watcher to see it closed`)
    const seen = await timeWatchers(ctx, notifyOf(presentity.peerId, d => d.basic === 'closed', t0), t0, CLOSED_TIMEOUT_MS)
    latencies.push(...seen.latencies)
    for (const name of seen.missing) missing.add(name)
  }
  result.figures['SIGKILL → watcher sees closed'] = summarize(latencies)
  result.checks['every watcher saw closed'] = missing.size === 0
  if (missing.size > 0) result.notes.push(`not seen closed within ${CLOSED_TIMEOUT_MS} ms by ${[...missing].join(', ')}`)
  result.notes.push('expected ≈ willGrace (2 s) + the time a will holder needs to notice the dropped connection')
}

const restart: Scenario = async (ctx, result) => {
  const presentity = presentityOf(ctx.mesh)
  if (presentity.running) await kill(ctx, { ...result, figures: {}, checks: {}, notes: [] })
  const before = presentity.peerId
  const t0 = performance.now()
  const proc = await ctx.mesh.launch(presentity)
  result.checks['same peer id after restart'] = proc.info.peerId === before
  const seen = await timeWatchers(ctx, notifyOf(before, d => d.basic === 'open', t0), t0, CLOSED_TIMEOUT_MS)
  result.figures['pmesh start → its JSON line'] = summarize([proc.startMs])
  result.figures['restart spawned → watcher sees open'] = summarize(seen.latencies)
  result.checks['every watcher saw open again'] = seen.missing.length === 0
  if (seen.missing.length > 0) result.notes.push(`not seen open within ${CLOSED_TIMEOUT_MS} ms by ${seen.missing.join(', ')}`)
}

const offlineFetch: Scenario = async (ctx, result) => {
  const presentity = presentityOf(ctx.mesh)
  if (presentity.running) {
    await ctx.mesh.stop(presentity, 'SIGTERM')
    ctx.log(`  ${presentity.name} stopped with SIGTERM`)
  }
  const times: number[] = []
  let closed = true
  for (let round = 0; round < (ctx.fetchRounds ?? 1); round++) {
    for (const node of ctx.mesh.nodes.filter(n => n !== presentity)) {
      const t0 = performance.now()
      const view = await node.api('GET', `/v1/presence/${encodeURIComponent(presentity.uri)}`)
      times.push(performance.now() - t0)
      closed &&= view.basic === 'closed'
      if (round === 0) ctx.log(`  ${node.name} fetched ${view.basic} (seq ${view.seq}) in ${Math.round(times[times.length - 1])} ms`)
    }
  }
  result.figures['GET /v1/presence/:uri of a stopped presentity'] = summarize(times)
  result.checks['every fetch says closed'] = closed
}

/** In the order `all` runs them: each leaves the presentity as the next one expects */
export const SCENARIOS: Record<string, Scenario> = { presence, kill, restart, 'offline-fetch': offlineFetch, messages, 'relayed-messages': relayedMessages }

export async function runScenario (name: string, ctx: ScenarioContext): Promise<ScenarioResult> {
  const result: ScenarioResult = { name, status: 'ok', figures: {}, checks: {}, notes: [] }
  try {
    await SCENARIOS[name](ctx, result)
    if (Object.values(result.checks).includes(false)) result.status = 'failed'
  } catch (err: any) {
    result.status = 'failed'
    result.notes.push(`error: ${err.message}`)
  }
  return result
}
