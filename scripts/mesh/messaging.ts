/**
 * The messaging scenarios of `npm run mesh`: one node sends messages to
 * another, directly or through a relay to a firewalled node, one at a time.
 * Delivery counts as confirmed only when the sender saw the signed receipt
 * and the recipient's inbox holds each message exactly once.
 */
import { performance } from 'node:perf_hooks'
import { waitUntil } from './procs.js'
import { summarize } from './stats.js'
import { presentityOf, type Mesh, type MeshNode, type StampedEvent } from './mesh.js'
import type { Scenario, ScenarioContext, ScenarioResult } from './scenarios.js'

/** A send retries for up to 20 s (src/messaging/messaging.ts); wait a little longer for its receipt */
const RECEIPT_TIMEOUT_MS = 25_000
const DEFAULT_MESSAGES = 20
/** A firewalled recipient's record names its relay within seconds of its reservation, even at load 50 */
const RECORD_TIMEOUT_MS = 30_000
/** A short chat line: what the bench's raw baseline sends as a payload of the same envelope size */
export const MESSAGE_TEXT_LENGTH = 140

export function messageText (i: number): string {
  return `message ${i} `.padEnd(MESSAGE_TEXT_LENGTH, '·')
}

export interface Path {
  /** The sender holds an unlimited (direct) connection to the recipient */
  direct: boolean
  /** ... and a limited (relayed) one */
  relayed: boolean
}

/** What connections the sender holds to the recipient, as its API reports them */
export async function pathBetween (sender: MeshNode, recipient: MeshNode): Promise<Path> {
  const { peers } = await sender.api('GET', '/v1/peers')
  const toRecipient = peers.filter((p: any) => p.peerId === recipient.peerId)
  return { direct: toRecipient.some((p: any) => !p.limited), relayed: toRecipient.some((p: any) => p.limited) }
}

const eventWithId = (type: string, id: string) => (e: StampedEvent): boolean => e.type === type && e.data.id === id

/** Pick a running non-firewalled node, not the presentity (the presence scenarios stop and kill it) */
function plainPeers (mesh: Mesh, presentity: MeshNode): MeshNode[] {
  return mesh.others.filter(n => n.role === 'peer' && n !== presentity && n.running)
}

/**
 * Send `count` messages after a first one (its dial is counted apart), each
 * timed from POST /v1/messages to the sender's `im:receipt` event and to the
 * recipient's `im:message` event; then check the inbox and the sent box.
 */
async function sendAndConfirm (ctx: ScenarioContext, result: ScenarioResult, sender: MeshNode, recipient: MeshNode, count: number): Promise<Path[]> {
  const receipts: number[] = []
  const arrivals: number[] = []
  const paths: Path[] = []
  const ids: string[] = []
  let failures = 0
  // in the notes too: the bench prints a failed scenario's notes, not its progress log
  const fail = (line: string): void => {
    ctx.log(`  ${line}`)
    result.notes.push(line)
  }
  // friends chatting: a stranger's messages beyond its burst would be rate-limited (inbox limits)
  await recipient.api('POST', '/v1/inbox/allow', { target: `im:${sender.peerId}` })
  for (let i = 0; i <= count; i++) {
    const t0 = performance.now()
    const sent = await sender.api('POST', '/v1/messages', { to: `im:${recipient.peerId}`, text: messageText(i) })
    const answered = performance.now() - t0
    if (sent.status !== 'delivered') {
      failures++
      fail(`message ${i} (${sent.id}): POST answered ${sent.status} after ${Math.round(answered)} ms: ${sent.reason ?? ''} ${sent.detail ?? ''}`)
      continue
    }
    ids.push(sent.id)
    const [receipt, arrival] = await Promise.all([
      sender.waitForEvent(eventWithId('im:receipt', sent.id), RECEIPT_TIMEOUT_MS),
      recipient.waitForEvent(eventWithId('im:message', sent.id), RECEIPT_TIMEOUT_MS)
    ])
    if (receipt == null || arrival == null) {
      failures++
      const seen = (e?: StampedEvent): string => e == null ? `none within ${RECEIPT_TIMEOUT_MS} ms` : `after ${Math.round(e.at - t0)} ms`
      fail(`message ${i} (${sent.id}): delivered after ${Math.round(answered)} ms; im:receipt ${seen(receipt)}, im:message ${seen(arrival)}`)
    }
    if (i === 0) {
      ctx.log(`  first message (dial included): receipt after ${Math.round((receipt?.at ?? NaN) - t0)} ms (not counted)`)
      result.figures['first message, dial included: send → receipt'] = receipt == null ? undefined : summarize([receipt.at - t0])
      continue
    }
    if (receipt != null) receipts.push(receipt.at - t0)
    if (arrival != null) arrivals.push(arrival.at - t0)
    paths.push(await pathBetween(sender, recipient))
  }
  result.figures['send → receipt at the sender'] = summarize(receipts)
  result.figures['send → message at the recipient'] = summarize(arrivals)
  result.checks['every message delivered, with a receipt'] = failures === 0

  const { messages: inbox } = await recipient.api('GET', '/v1/messages')
  const { messages: sentBox } = await sender.api('GET', '/v1/messages?box=sent')
  const from = `im:${sender.peerId}`
  const onceInInbox = ids.every(id => inbox.filter((m: any) => m.id === id && m.from === from).length === 1)
  const onceAsEvent = ids.every(id => recipient.events.filter(eventWithId('im:message', id)).length === 1)
  result.checks['each message in the recipient\'s inbox exactly once'] = onceInInbox && onceAsEvent && ids.length === count + 1
  result.checks['sent box says delivered'] = ids.every(id => sentBox.some((m: any) => m.id === id && m.outcome?.status === 'delivered'))
  result.notes.push(`${sender.name} → ${recipient.name}: ${count} messages of ${MESSAGE_TEXT_LENGTH} characters, one at a time; latency from POST /v1/messages to the event on each side's SSE stream (HTTP + SSE add about 1 ms)`)
  return paths
}

/**
 * Wait until the sender finds the recipient's presence record and it names
 * a relay circuit; how long that took, or undefined past RECORD_TIMEOUT_MS. A
 * firewalled node announces its circuit as soon as it holds a reservation
 * (what Mesh.ready() waits for), but the record naming it reaches the DHT
 * a moment later — 1.5 s after the reservation in a run at load 56. A
 * message sent before that finds nothing of a stranger, and is left with
 * the relay's mailbox: POST answers `stored`, the recipient drains it at
 * once, and its ack comes back by mail. Nothing is lost, but that is the
 * mailbox path, not the relayed one timed here; a user, too, sees a
 * contact online before writing to it.
 */
async function untilRelayedRecordSeen (sender: MeshNode, recipient: MeshNode): Promise<{ ms: number, lookups: number } | undefined> {
  const t0 = performance.now()
  let lookups = 0
  const names = async (): Promise<boolean> => {
    lookups++
    const view = await sender.api('GET', `/v1/presence/${encodeURIComponent(recipient.uri)}`).catch(() => undefined)
    return view?.basic === 'open' && view.addresses.some((a: string) => a.includes('/p2p-circuit'))
  }
  try {
    await waitUntil(names, RECORD_TIMEOUT_MS, 'the recipient\'s record')
    return { ms: performance.now() - t0, lookups }
  } catch {
    return undefined
  }
}

/** Direct: two plain nodes, the connection their first message dials */
export const messages: Scenario = async (ctx, result) => {
  const peers = plainPeers(ctx.mesh, presentityOf(ctx.mesh))
  const sender = peers[0]
  const recipient = peers[1] ?? ctx.mesh.seeds[0]
  if (sender == null) throw new Error('no running node to send from')
  const paths = await sendAndConfirm(ctx, result, sender, recipient, ctx.messages ?? DEFAULT_MESSAGES)
  result.checks['every message went over a direct connection'] = paths.every(p => p.direct)
}

/**
 * Relayed: to a firewalled node, from a node it cannot have a direct
 * connection with. A firewalled node refuses inbound direct connections but
 * dials out freely (DHT queries, subscriptions), so a plain sender usually
 * holds a direct connection it opened; a second firewalled node does not,
 * as two users behind NATs: only a relay circuit joins them.
 */
export const relayedMessages: Scenario = async (ctx, result) => {
  const firewalled = ctx.mesh.others.filter(n => n.role === 'firewalled' && n.running)
  const recipient = firewalled[firewalled.length - 1]
  if (recipient == null) {
    result.status = 'skipped'
    result.notes.push('needs a firewalled node: run with --relays 2 --firewalled 2')
    return
  }
  const plain = plainPeers(ctx.mesh, presentityOf(ctx.mesh))
  const paths = await Promise.all(plain.map(async n => pathBetween(n, recipient)))
  const sender = firewalled.find(n => n !== recipient) ?? plain.find((_n, i) => !paths[i].direct)
  if (sender == null) {
    result.status = 'skipped'
    result.notes.push('every possible sender holds a direct connection the firewalled node opened itself: run with --firewalled 2 for a path only a relay carries')
    return
  }
  const waited = await untilRelayedRecordSeen(sender, recipient)
  result.checks['the sender finds the recipient\'s record naming its relay'] = waited != null
  if (waited == null) result.notes.push(`${sender.name} did not find a record of ${recipient.name} naming a relay circuit within ${RECORD_TIMEOUT_MS} ms`)
  else ctx.log(`  ${sender.name} found ${recipient.name}'s record naming its relay after ${Math.round(waited.ms)} ms (${waited.lookups} lookups)`)
  const used = await sendAndConfirm(ctx, result, sender, recipient, ctx.messages ?? DEFAULT_MESSAGES)
  result.checks['every message went through a relay'] = used.every(p => p.relayed && !p.direct)
}
