/**
 * What the kill tests (test/messaging/kill*.spec.ts) share. An
 * acknowledgement is a promise that the message is on the recipient's
 * disk. The recipient is SIGKILLed in the middle of a burst of messages in
 * flight on its one stream — receipts batched, stores grouped — and
 * restarted from the same home: every message the sender saw acknowledged
 * must be in its inbox, once.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { stopProcess, type RunningNode } from './cli.js'
import { startNode, stopAll } from './nodes.js'
import { tempDir } from './temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

/** Messages sent at once: several windows' worth, so receipts and datastore batches are really shared */
const IN_FLIGHT = 64
/** The kill comes once this many messages are acknowledged, while the others are still in flight */
const KILL_AFTER = 300
/** A stranger's limits that a burst does not reach: these tests are about durability, not the limits */
export const OPEN_INBOX = { strangerBurst: 100_000, strangerMessages: 100_000, strangerBytes: 1e9, strangersTotalMessages: 100_000, strangersTotalBytes: 1e9 }

const SLOW_DISK_NODE = fileURLToPath(new URL('./slow-disk-node.js', import.meta.url))

interface Recipient { info: { peerId: string, addresses: string[] }, kill: () => Promise<unknown> }

/** A node in a child process whose every datastore commit lands `delay` ms late (test/helpers/slow-disk-node.ts) */
export async function slowDiskNode (home: string, args: string[]): Promise<{ first: any, kill: () => Promise<unknown>, exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [SLOW_DISK_NODE, '--home', home, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise(resolve => child.once('exit', resolve))
  const first = JSON.parse(await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    exited.then(() => reject(new Error('the node exited before it printed anything')), () => {})
  }))
  return { first, kill: async () => { child.kill('SIGKILL'); await exited }, exited }
}

/**
 * Send from `sender` to `recipient`, IN_FLIGHT at a time, until KILL_AFTER are
 * acknowledged; then SIGKILL it. Returns what was acknowledged and attempted
 */
export async function burstThenKill (sender: PresenceMeshNode, recipient: Recipient): Promise<{ acknowledged: string[], attempted: Set<string> }> {
  await sender.libp2p.dial(multiaddr(recipient.info.addresses[0]))
  const to = peerIdFromString(recipient.info.peerId)
  const acknowledged: string[] = []
  const attempted = new Set<string>()
  let started = 0
  let settled = 0
  let inFlightAtKill = -1
  let killed: Promise<unknown> = Promise.resolve()
  const worker = async (): Promise<void> => {
    while (inFlightAtKill < 0) {
      started++
      const result = await sender.libp2p.services.im.send(to, { body: `message ${started}` })
      settled++
      attempted.add(result.id)
      if (result.status === 'delivered') acknowledged.push(result.id)
      if (acknowledged.length >= KILL_AFTER && inFlightAtKill < 0) {
        inFlightAtKill = started - settled
        killed = recipient.kill()
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  await killed
  console.log(`      ${acknowledged.length} acknowledged of ${attempted.size}; ${inFlightAtKill} in flight at the kill`)
  assert.ok(inFlightAtKill > 0, 'the kill came with messages in flight')
  return { acknowledged, attempted }
}

/** Every acknowledged message is among `ids`, none twice, and nothing else */
export function checkInbox (ids: string[], acknowledged: string[], attempted: Set<string>): void {
  const counts = new Map<string, number>()
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1)
  assert.deepEqual(acknowledged.filter(id => !counts.has(id)), [], 'every acknowledged message survived the kill')
  assert.deepEqual([...counts].filter(([, n]) => n > 1), [], 'no message stored twice')
  assert.ok(ids.every(id => attempted.has(id)), 'nothing but what was sent')
}

/** What a kill test set up, for it to fill in and for the afterEach to clean up */
export interface KillState {
  home: Awaited<ReturnType<typeof tempDir>>
  sender: PresenceMeshNode
  running?: RunningNode
  stopChild?: () => Promise<unknown>
}

/** Call inside a `describe`: each test gets a fresh recipient home and a sender node, gone afterwards */
export function killHooks (): () => KillState {
  let state: KillState | undefined
  beforeEach(async () => {
    const home = await tempDir()
    try {
      // short deadlines: what is in flight at the kill fails soon instead of retrying for 20 s
      state = { home, sender: await startNode({ messaging: { sendTimeout: 3_000, attemptTimeout: 1_500 } }) }
    } catch (err) {
      await home.remove()
      throw err
    }
  })
  afterEach(async () => {
    await stopAll(state?.sender)
    await stopProcess(state?.running, 'SIGKILL')
    await state?.stopChild?.()
    await state?.home.remove()
    state = undefined
  })
  return () => {
    if (state == null) throw new Error('killHooks: no test is running')
    return state
  }
}
