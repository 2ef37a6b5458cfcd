/**
 * Driver side of the baseline: raw-node.ts processes, commanded over IPC.
 * Deliveries are stamped on arrival here, on the same clock the presence
 * figures use. The baseline mesh is wired like the presence mesh it stands
 * for: node 0 bootstraps everyone, and the connections ours had are dialled.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { inBatches, startProc, stopChild, type Cleanup, type Proc } from '../mesh/procs.js'
import { SETTLE_MS } from '../mesh/scenarios.js'
import type { MeshGraph } from './figures.js'
import type { Delivery, RawCommand } from './raw-node.js'

const RAW_NODE = fileURLToPath(new URL('./raw-node.js', import.meta.url))
const COMMAND_TIMEOUT_MS = 30_000

export class IpcProc {
  readonly proc: Proc
  /** Deliveries: sample key → arrival time */
  readonly received = new Map<string, number>()
  /** Deliveries that carried a time measured in the child (`ms`): sample key → that time */
  readonly reported = new Map<string, number>()
  private nextId = 0
  private readonly pending = new Map<number, { resolve: (value: any) => void, reject: (err: Error) => void }>()
  private readonly waiters = new Set<() => void>()

  constructor (proc: Proc) {
    this.proc = proc
    proc.child.on('message', (message: any) => {
      if ((message as Delivery).event === 'delivery') {
        this.received.set(message.key, performance.now())
        if (typeof message.ms === 'number') this.reported.set(message.key, message.ms)
        for (const wake of this.waiters) wake()
        return
      }
      const call = this.pending.get(message.reply)
      this.pending.delete(message.reply)
      if (message.error != null) call?.reject(new Error(message.error))
      else call?.resolve(message.result)
    })
    proc.exited.then(() => {
      for (const call of this.pending.values()) call.reject(new Error('the process exited'))
      this.pending.clear()
    }).catch(() => {})
  }

  /** `flags`: raw-node.ts's --relay, --behind-relay. Its LevelDB lives in a fresh directory, as a fresh pmesh home's */
  static async rawNode (cleanup: Cleanup, bootstrap: string[] = [], flags: string[] = []): Promise<IpcProc> {
    const datastore = join(await cleanup.tempDir('pmesh-raw-'), 'datastore')
    return new IpcProc(await startProc(cleanup, RAW_NODE, [...bootstrap.flatMap(ma => ['--bootstrap', ma]), '--datastore', datastore, ...flags], { ipc: true }))
  }

  get address (): string { return this.proc.info.addresses[0] }

  /** One command to the child (raw-node.ts, or the idle bench's processes with their own commands) */
  async call<T = unknown, C extends { op: string } = RawCommand> (command: C, timeoutMs = COMMAND_TIMEOUT_MS): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`${command.op} timed out`))
      }, timeoutMs)
      this.pending.set(id, {
        resolve: value => { clearTimeout(timer); resolve(value) },
        reject: err => { clearTimeout(timer); reject(err) }
      })
      this.proc.child.send({ id, command })
    })
  }

  /** Arrival time of delivery `key`, or undefined if it did not come within `timeoutMs` */
  async arrival (key: string, timeoutMs: number): Promise<number | undefined> {
    return new Promise(resolve => {
      const check = (): void => {
        const at = this.received.get(key)
        if (at != null) finish(at)
      }
      const finish = (at?: number): void => {
        clearTimeout(timer)
        this.waiters.delete(check)
        resolve(at)
      }
      const timer = setTimeout(() => finish(undefined), timeoutMs)
      this.waiters.add(check)
      check()
    })
  }

  async stop (): Promise<void> {
    await stopChild(this.proc.child, 'SIGTERM')
  }
}

export interface RawMesh {
  all: IpcProc[]
  publisher: IpcProc
  subscribers: IpcProc[]
}

/**
 * The raw counterpart of ours' presence mesh (`graph`, figures.ts): node 0
 * (a relay when ours' is), the publisher and the subscribers, each in its
 * own process and bootstrapped from node 0 as ours are; then every
 * connection ours had is dialled, so pushes find the same connections open;
 * then the same time to settle as the watchers had.
 */
export async function startRawMesh (cleanup: Cleanup, graph: MeshGraph, concurrency: number, log: (line: string) => void): Promise<RawMesh> {
  const count = 2 + graph.watchers.length
  const seed = await IpcProc.rawNode(cleanup, [], graph.relaySeed ? ['--relay'] : [])
  const rest = await inBatches(Array.from({ length: count - 1 }, (_, i) => i), concurrency, async () => IpcProc.rawNode(cleanup, [seed.address]))
  // raw node i stands for ours' node i
  const all = [seed, ...rest]
  const dialled = await inBatches(graph.edges, concurrency, async ([a, b]) => all[a].call({ op: 'dial', addr: all[b].address }).then(() => true, () => false))
  if (dialled.includes(false)) log(`  !! ${dialled.filter(ok => !ok).length} of ours' ${graph.edges.length} connections could not be dialled between raw nodes`)
  const publisher = all[graph.presentity]
  const subs = graph.watchers.map(i => all[i])
  // as ours' watchers were given after subscribing: identify and the DHT's first queries settle
  await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
  return { all, publisher, subscribers: subs }
}

/** Latencies from `t0` to the arrival of delivery `key` at every receiver */
export async function arrivals (receivers: IpcProc[], key: string, t0: number, timeoutMs: number): Promise<{ latencies: number[], missing: number }> {
  const times = await Promise.all(receivers.map(async r => r.arrival(key, timeoutMs)))
  return {
    latencies: times.flatMap(at => at == null ? [] : [at - t0]),
    missing: times.filter(at => at == null).length
  }
}
