/**
 * Messaging goals (issue 18), each beside its raw baseline in the same run,
 * measured where `send()` is called: our nodes are im-node.ts processes
 * (createNode with a home, as `pmesh start`), the baseline raw-node.ts
 * processes with a long-lived echo stream (ECHO_STREAM_PROTOCOL), the floor
 * of our protocol's one stream per connection. Same topology on both
 * sides: a relay, two peers, two firewalled nodes reachable through the
 * relay only. Ours run first and are stopped before the baseline starts,
 * so neither competes with the other for the two cores.
 *
 * - direct: one message at a time, send() → verified receipt, vs one echo round trip;
 * - through the HTTP API: one message at a time, POST /v1/messages from this process →
 *   its answer (delivered: the receipt is in), vs the same POST, from the same client, to a bare
 *   node:http server in the raw node that answers after one echo (the HTTP exchange around a raw
 *   round trip); the earlier baseline, an echo asked for over IPC, is measured beside it;
 * - messages/s: `burst` messages with `concurrency` in flight on one connection, and the
 *   recipient's CPU per message, vs pipelined echoes and the echoing process's CPU;
 * - relayed: as direct, between the firewalled nodes, through the same kind of relay;
 * - mailbox drain: `drain` messages left at the relay for an offline node, which then starts:
 *   start → the last one stored in its inbox (no raw counterpart).
 */
import { writeFile } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEPOSIT_STREAMS_PER_CONNECTION } from '../../src/mailbox/constants.js'
import { startProc, waitUntil } from '../mesh/procs.js'
import { summarize, type Summary } from '../mesh/stats.js'
import { ApiClient } from '../../src/api/client.js'
import { IpcProc } from './ipc.js'
import type { BenchContext } from './figures.js'
import { messageText } from '../mesh/messaging.js'
import type { ImCommand } from './im-node.js'
import type { RawCommand } from './raw-node.js'

const IM_NODE = fileURLToPath(new URL('./im-node.js', import.meta.url))
const LONG_MS = 600_000
/** Limits a bench does not reach: it measures speed, not the limits against strangers */
const OPEN_LIMITS = {
  inbox: { strangerBurst: 1_000_000, strangerMessages: 1_000_000, strangerBytes: 1e10, strangersTotalMessages: 1_000_000, strangersTotalBytes: 1e10 },
  mailbox: { boxItems: 1_000_000, boxBytes: 1e10, senderShare: 1, strangersShare: 1, depositorItems: 1_000_000, depositorBytes: 1e10, totalItems: 1_000_000, totalBytes: 1e10 }
}

export interface FastPlan {
  /** Messages timed one at a time, per path */
  messages: number
  /** Throughput rounds of `burst` messages, `concurrency` in flight */
  rounds: number
  burst: number
  concurrency: number
  /** Messages waiting in the mailbox for the drain */
  drain: number
}

export interface FastFigures {
  direct?: Summary
  /** Through the HTTP API (ours), or the same request to a bare HTTP server around an echo (raw) */
  http?: Summary
  /** Raw only: an echo asked for over IPC, the API's baseline until 2026-12-03 */
  ipc?: Summary
  relayed?: Summary
  throughput?: Summary
  /** The recipient's CPU per message, µs */
  cpu?: Summary
  /** Start → the last message drained, ms; and the rate */
  drainMs?: Summary
  drainRate?: Summary
}

async function imNode (ctx: BenchContext, args: string[], home?: string): Promise<IpcProc & { home: string }> {
  const dir = home ?? await ctx.cleanup.tempDir('pmesh-im-')
  await writeFile(join(dir, 'config.json'), JSON.stringify(OPEN_LIMITS))
  const proc = new IpcProc(await startProc(ctx.cleanup, IM_NODE, ['--home', dir, ...args], { ipc: true })) as IpcProc & { home: string }
  proc.home = dir
  return proc
}

const im = async <T>(proc: IpcProc, command: ImCommand, timeoutMs = LONG_MS): Promise<T> => proc.call<T, ImCommand>(command, timeoutMs)
const raw = async <T>(proc: IpcProc, command: RawCommand, timeoutMs = LONG_MS): Promise<T> => proc.call<T, RawCommand>(command, timeoutMs)

async function circuitAddress (proc: IpcProc, call: (p: IpcProc) => Promise<string[]>): Promise<string> {
  return waitUntil(async () => (await call(proc)).find(ma => ma.includes('/p2p-circuit')), 30_000, 'a relay reservation')
}

/** `count` messages to `to`, one at a time, each POST /v1/messages timed here, after one not counted: µs */
async function overHttp (client: ApiClient, to: string, count: number): Promise<Summary | undefined> {
  const times: number[] = []
  for (let i = 0; i <= count; i++) {
    const t0 = performance.now()
    const sent = await client.request<{ status: string, reason?: string }>('POST', '/v1/messages', { to: `im:${to}`, text: messageText(i) })
    if (sent.status !== 'delivered') throw new Error(`message ${i} through the API not delivered: ${sent.status} ${sent.reason ?? ''}`)
    if (i > 0) times.push((performance.now() - t0) * 1000)
  }
  return summarize(times)
}

export async function oursFast (ctx: BenchContext, plan: FastPlan): Promise<FastFigures> {
  ctx.log('ours: 5 im-node processes (relay, 2 peers, 2 firewalled), send() timed in the sender')
  const relay = await imNode(ctx, ['--relay'])
  const boot = ['--bootstrap', relay.address]
  const [a, b, f1, f2] = await Promise.all([imNode(ctx, [...boot, '--api']), imNode(ctx, boot), imNode(ctx, [...boot, '--firewalled']), imNode(ctx, [...boot, '--firewalled'])])
  const all = [relay, a, b, f1, f2]
  try {
    await im(a, { op: 'dial', addr: b.address })
    const timed = async (from: IpcProc, to: IpcProc, relayed: boolean): Promise<Summary | undefined> => {
      await im(from, { op: 'send-timed', to: to.proc.info.peerId, count: 1 })
      const { times, limited } = await im<{ times: number[], limited: boolean }>(from, { op: 'send-timed', to: to.proc.info.peerId, count: plan.messages })
      if (limited !== relayed) throw new Error(`messages went over a ${limited ? 'relayed' : 'direct'} connection`)
      return summarize(times.map(ms => ms * 1000))
    }
    const direct = await timed(a, b, false)
    const http = await overHttp(await ApiClient.fromHome(a.home), b.proc.info.peerId, plan.messages)
    const rates: number[] = []
    const cpu: number[] = []
    for (let round = 0; round < plan.rounds; round++) {
      const cpu0 = await im<number>(b, { op: 'cpu' })
      const { seconds, failed } = await im<{ seconds: number, failed: number }>(a, { op: 'send-burst', to: b.proc.info.peerId, count: plan.burst, concurrency: plan.concurrency })
      const used = await im<number>(b, { op: 'cpu' }) - cpu0
      ctx.log(`  burst ${round + 1}/${plan.rounds}: ${plan.burst} in ${seconds.toFixed(2)} s, recipient CPU ${(used / plan.burst).toFixed(0)} µs/message${failed > 0 ? `, ${failed} not delivered: not counted` : ''}`)
      if (failed > 0) continue
      rates.push(plan.burst / seconds)
      cpu.push(used / plan.burst)
    }
    await im(f1, { op: 'dial', addr: await circuitAddress(f2, async p => im<string[]>(p, { op: 'addresses' })) })
    const relayed = await timed(f1, f2, true)
    ctx.log(`  send → receipt p50: direct ${direct?.p50} µs, through the HTTP API ${http?.p50} µs, relayed ${relayed?.p50} µs`)

    // the drain: a node that was offline while `drain` messages were left for it at the relay
    const d = await imNode(ctx, boot)
    const dId = d.proc.info.peerId
    await d.stop()
    ctx.log(`  leaving ${plan.drain} messages at the relay for an offline node…`)
    const { refused, reason } = await im<{ refused: number, reason: string }>(a, { op: 'deposit', mailbox: relay.proc.info.peerId, to: dId, count: plan.drain, concurrency: DEPOSIT_STREAMS_PER_CONNECTION })
    if (refused > 0) throw new Error(`the relay's mailbox refused ${refused} of ${plan.drain} messages (${reason})`)
    ctx.log('  …starting it')
    const back = await imNode(ctx, [...boot, '--expect', String(plan.drain)], d.home)
    all.push(back)
    const key = `arrived:${plan.drain}`
    if (await back.arrival(key, LONG_MS) == null) throw new Error(`the mailbox did not drain ${plan.drain} messages in time`)
    const ms = back.reported.get(key) ?? 0
    ctx.log(`  drained ${plan.drain} messages in ${(ms / 1000).toFixed(1)} s (${Math.round(plan.drain / (ms / 1000))} /s)`)
    return { direct, http, relayed, throughput: summarize(rates), cpu: summarize(cpu), drainMs: summarize([ms]), drainRate: summarize([plan.drain / (ms / 1000)]) }
  } finally {
    await Promise.all(all.map(async node => node.stop()))
  }
}

export async function rawFast (ctx: BenchContext, plan: FastPlan, size: number): Promise<FastFigures> {
  ctx.log('raw: 5 raw-node processes (relay, 2 peers, 2 behind the relay), one long-lived echo stream')
  const relay = await IpcProc.rawNode(ctx.cleanup, [], ['--relay'])
  const boot = [relay.address]
  const [a, b, f1, f2] = await Promise.all([
    IpcProc.rawNode(ctx.cleanup, boot), IpcProc.rawNode(ctx.cleanup, boot),
    IpcProc.rawNode(ctx.cleanup, boot, ['--behind-relay']), IpcProc.rawNode(ctx.cleanup, boot, ['--behind-relay'])
  ])
  try {
    const timed = async (from: IpcProc, addr: string, relayed: boolean): Promise<Summary | undefined> => {
      const { limited } = await raw<{ limited: boolean }>(from, { op: 'stream-echo', addr, size })
      if (limited !== relayed) throw new Error(`echoes went over a ${limited ? 'relayed' : 'direct'} connection`)
      return summarize((await raw<number[]>(from, { op: 'stream-echo-timed', addr, size, count: plan.messages })).map(ms => ms * 1000))
    }
    const direct = await timed(a, b.address, false)
    const asked: number[] = []
    for (let i = 0; i < plan.messages; i++) {
      const t0 = performance.now()
      await raw(a, { op: 'stream-echo', addr: b.address, size })
      asked.push((performance.now() - t0) * 1000)
    }
    const ipc = summarize(asked)
    const http = await overHttp(new ApiClient(await raw<string>(a, { op: 'http-echo', addr: b.address, size }), 'raw'), b.proc.info.peerId, plan.messages)
    const rates: number[] = []
    const cpu: number[] = []
    for (let round = 0; round < plan.rounds; round++) {
      const cpu0 = await raw<number>(b, { op: 'cpu' })
      const seconds = await raw<number>(a, { op: 'stream-echo-burst', addr: b.address, size, count: plan.burst, concurrency: plan.concurrency })
      cpu.push((await raw<number>(b, { op: 'cpu' }) - cpu0) / plan.burst)
      rates.push(plan.burst / seconds)
    }
    const circuit = await circuitAddress(f2, async p => raw<string[]>(p, { op: 'addresses' }))
    const relayed = await timed(f1, circuit, true)
    ctx.log(`  echo p50: direct ${direct?.p50} µs, asked over HTTP ${http?.p50} µs, over IPC ${ipc?.p50} µs, relayed ${relayed?.p50} µs; ${rates.map(r => Math.round(r)).join(', ')} echoes/s`)
    return { direct, http, ipc, relayed, throughput: summarize(rates), cpu: summarize(cpu) }
  } finally {
    await Promise.all([relay, a, b, f1, f2].map(async node => node.stop()))
  }
}
