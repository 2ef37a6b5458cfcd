/**
 * Messaging and SIGKILL figures, ours and raw libp2p in the same topology:
 * two relays, a presentity, two plain peers and two nodes reachable only
 * through a relay (two relays: the configuration a firewalled node is
 * built for, see scripts/mesh/main.ts). Ours: `npm run mesh`'s messaging and kill scenarios on
 * real `pmesh start` processes. Raw: raw-node.ts processes, an echo of a
 * message-sized payload on a long-lived stream (as our messages travel)
 * standing in for a message and its receipt.
 */
import { performance } from 'node:perf_hooks'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { fromString } from 'uint8arrays/from-string'
import { sealMessage } from '../../src/messaging/message.js'
import { Mesh, presentityOf } from '../mesh/mesh.js'
import { messageText } from '../mesh/messaging.js'
import { stopChild, waitUntil } from '../mesh/procs.js'
import { runScenario, type ScenarioResult } from '../mesh/scenarios.js'
import { summarize, type Summary } from '../mesh/stats.js'
import { IpcProc, arrivals } from './ipc.js'
import type { BenchContext } from './figures.js'

export interface MessagingPlan {
  /** Messages timed one at a time, per path */
  messages: number
  /** Throughput rounds, each `burst` messages with `concurrency` in flight */
  rounds: number
  burst: number
  concurrency: number
  /** SIGKILLs of the presentity (restarted in between) */
  kills: number
}

export interface MessagingFigures { direct?: Summary, relayed?: Summary, throughput?: Summary, kill?: Summary }

const DISCONNECT_TIMEOUT_MS = 10_000

/** Bytes of the signed envelope of one of the mesh scenario's messages: the raw echo's payload size */
export async function messageEnvelopeSize (): Promise<number> {
  const key = await generateKeyPair('Ed25519')
  const peer = peerIdFromPrivateKey(key)
  const now = Date.now()
  const envelope = await sealMessage(key, {
    from: peer,
    to: peerIdFromPrivateKey(await generateKeyPair('Ed25519')),
    id: `${now.toString(36)}-0123456789abcdef`,
    date: now,
    contentType: 'text/plain; charset=utf-8',
    body: fromString(messageText(1)),
    headers: []
  })
  return envelope.byteLength
}

function figure (result: ScenarioResult, name: string, log: (line: string) => void): Summary | undefined {
  if (result.status !== 'ok') log(`  ${result.name}: ${result.status} ${JSON.stringify(result.checks)} ${result.notes.join('; ')}`)
  return result.figures[name]
}

export async function oursMessaging (ctx: BenchContext, plan: MessagingPlan): Promise<MessagingFigures> {
  ctx.log('ours: 7 pmesh processes (2 relays, presentity, 2 peers, 2 firewalled)')
  const mesh = await Mesh.start(ctx.cleanup, { nodes: 7, relays: 2, firewalled: 2, log: () => {}, concurrency: ctx.concurrency })
  try {
    await mesh.ready()
    const run = async (name: string): Promise<ScenarioResult> => runScenario(name, { mesh, log: () => {}, changes: 0, messages: plan.messages, kills: plan.kills })
    const direct = figure(await run('messages'), 'send → receipt at the sender', ctx.log)
    const relayed = figure(await run('relayed-messages'), 'send → receipt at the sender', ctx.log)
    ctx.log(`  send → receipt p50: direct ${direct?.p50} ms, relayed ${relayed?.p50} ms`)

    // the pair the messages scenario used, on the connection it opened
    const [sender, recipient] = mesh.others.filter(n => n.role === 'peer' && n !== presentityOf(mesh))
    const rates: number[] = []
    for (let round = 0; round < plan.rounds; round++) {
      let left = plan.burst
      let failed = 0
      const t0 = performance.now()
      await Promise.all(Array.from({ length: plan.concurrency }, async () => {
        while (left-- > 0) {
          const sent = await sender.api('POST', '/v1/messages', { to: `im:${recipient.peerId}`, text: messageText(left) })
          if (sent.status !== 'delivered') failed++
        }
      }))
      const seconds = (performance.now() - t0) / 1000
      if (failed === 0) rates.push(plan.burst / seconds)
      ctx.log(`  throughput round ${round + 1}/${plan.rounds}: ${plan.burst} messages in ${seconds.toFixed(2)} s${failed > 0 ? `, ${failed} not delivered: round not counted` : ''}`)
    }

    const kill = figure(await run('kill'), 'SIGKILL → watcher sees closed', ctx.log)
    ctx.log(`  SIGKILL → closed p50 ${kill?.p50} ms (n=${kill?.n})`)
    return { direct, relayed, throughput: summarize(rates), kill }
  } finally {
    await Promise.all(mesh.nodes.map(async node => mesh.stop(node, 'SIGTERM')))
  }
}

export async function rawMessaging (ctx: BenchContext, plan: MessagingPlan, size: number): Promise<MessagingFigures> {
  ctx.log('raw: 7 plain libp2p processes (2 relays, presentity, 2 peers, 2 behind a relay)')
  const relay = await IpcProc.rawNode(ctx.cleanup, [], ['--relay'])
  const relay2 = await IpcProc.rawNode(ctx.cleanup, [relay.address], ['--relay'])
  const boot = [relay.address, relay2.address]
  const [a, b, f1, f2] = await Promise.all([
    IpcProc.rawNode(ctx.cleanup, boot), IpcProc.rawNode(ctx.cleanup, boot),
    IpcProc.rawNode(ctx.cleanup, boot, ['--behind-relay']), IpcProc.rawNode(ctx.cleanup, boot, ['--behind-relay'])
  ])
  const all = [relay, relay2, a, b, f1, f2]
  try {
    const circuit = await waitUntil(async () => (await f2.call<string[]>({ op: 'addresses' })).find(ma => ma.includes('/p2p-circuit')), 20_000, 'a relay reservation')
    /** Warm-up echo (dial included), then `plan.messages` timed echoes, each through IPC as ours goes through HTTP */
    const echoes = async (from: IpcProc, addr: string, relayed: boolean): Promise<Summary | undefined> => {
      const times: number[] = []
      for (let i = 0; i <= plan.messages; i++) {
        const t0 = performance.now()
        const { limited } = await from.call<{ limited: boolean }>({ op: 'stream-echo', addr, size })
        if (limited !== relayed) throw new Error(`echo to ${addr} went over a ${limited ? 'relayed' : 'direct'} connection`)
        if (i > 0) times.push(performance.now() - t0)
      }
      return summarize(times)
    }
    const direct = await echoes(a, b.address, false)
    const relayed = await echoes(f1, circuit, true)
    ctx.log(`  echo round trip p50: direct ${direct?.p50} ms, relayed ${relayed?.p50} ms`)

    const rates: number[] = []
    for (let round = 0; round < plan.rounds; round++) {
      const t0 = performance.now()
      await a.call({ op: 'stream-echo-burst', addr: b.address, size, count: plan.burst, concurrency: plan.concurrency })
      rates.push(plan.burst / ((performance.now() - t0) / 1000))
    }
    ctx.log(`  echo throughput: ${rates.map(r => Math.round(r)).join(', ')} /s`)

    // the presentity's counterpart: connected to by every other node, then SIGKILLed
    const watchers = [a, b, f1, f2]
    const latencies: number[] = []
    for (let round = 0; round < plan.kills; round++) {
      const presentity = await IpcProc.rawNode(ctx.cleanup, boot)
      await Promise.all(watchers.map(async w => w.call({ op: 'dial', addr: presentity.address })))
      const t0 = performance.now()
      await stopChild(presentity.proc.child, 'SIGKILL')
      const seen = await arrivals(watchers, `disconnect:${presentity.proc.info.peerId}`, t0, DISCONNECT_TIMEOUT_MS)
      latencies.push(...seen.latencies)
      if (seen.missing > 0) ctx.log(`  !! ${seen.missing} watchers never saw the connection close`)
    }
    const kill = summarize(latencies)
    ctx.log(`  SIGKILL → peer:disconnect p50 ${kill?.p50} ms (n=${kill?.n})`)
    return { direct, relayed, throughput: summarize(rates), kill }
  } finally {
    await Promise.all(all.map(async node => node.stop()))
  }
}
