/**
 * A community mesh of real `pmesh start` processes on 127.0.0.1, each with
 * its own temporary home, driven through their control APIs. The driver
 * keeps one event stream (SSE) open per node and stamps every event on
 * arrival, so send and receive times come from one clock: this process's.
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { ApiClient } from '../../src/api/client.js'
import { PMESH, inBatches, startProc, stopChild, waitUntil, type Cleanup, type Proc } from './procs.js'

export type Role = 'bootstrap' | 'relay' | 'peer' | 'firewalled'

export interface MeshOptions {
  nodes: number
  /** Relay nodes (the first ones, started with --relay); 0: node 0 is a plain bootstrap node */
  relays: number
  /** Firewalled nodes (the last ones, started with --firewalled, reachable through the relays) */
  firewalled: number
  log: (line: string) => void
  /** Simultaneous start-ups; more only makes each one slower on 2 cores */
  concurrency?: number
}

export interface StampedEvent { type: string, data: any, at: number }

export class MeshNode {
  readonly index: number
  readonly role: Role
  readonly home: string
  readonly startArgs: string[]
  proc?: Proc
  /** Set while we stop it on purpose: any other exit is reported */
  stopping = false
  client?: ApiClient
  /** Every event from the node's /v1/events since it (re)started, stamped on arrival */
  readonly events: StampedEvent[] = []
  private streamAbort?: AbortController
  private readonly waiters = new Set<() => void>()

  constructor (index: number, role: Role, home: string, startArgs: string[]) {
    this.index = index
    this.role = role
    this.home = home
    this.startArgs = startArgs
  }

  get name (): string { return `node ${this.index} (${this.role})` }
  get peerId (): string { return this.proc?.info.peerId }
  get uri (): string { return this.proc?.info.uri }
  get running (): boolean { return this.proc != null && this.proc.child.exitCode == null && this.proc.child.signalCode == null }

  async api<T = any> (method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    if (this.client == null) throw new Error(`${this.name} is not running`)
    return this.client.request<T>(method, path, body)
  }

  /** The first event (already received or still to come) that matches, with its arrival time */
  async waitForEvent (match: (event: StampedEvent) => boolean, timeoutMs: number): Promise<StampedEvent | undefined> {
    return new Promise(resolve => {
      const check = (): void => {
        const found = this.events.find(match)
        if (found != null) finish(found)
      }
      const finish = (event?: StampedEvent): void => {
        clearTimeout(timer)
        this.waiters.delete(check)
        resolve(event)
      }
      const timer = setTimeout(() => finish(undefined), timeoutMs)
      this.waiters.add(check)
      check()
    })
  }

  /** Connect to the node's API and open its event stream */
  async attach (): Promise<void> {
    this.client = await ApiClient.fromHome(this.home)
    this.streamAbort?.abort()
    this.streamAbort = new AbortController()
    const stream = await this.client.events({ signal: this.streamAbort.signal })
    const consume = async (): Promise<void> => {
      for await (const event of stream) {
        this.events.push({ ...event, at: performance.now() })
        for (const wake of this.waiters) wake()
      }
    }
    // the stream ends with an error when the node is stopped or killed: expected here
    consume().catch(() => {})
  }

  detach (): void {
    this.streamAbort?.abort()
    this.streamAbort = undefined
  }
}

export class Mesh {
  readonly nodes: MeshNode[] = []
  private readonly cleanup: Cleanup
  private readonly log: (line: string) => void

  private constructor (cleanup: Cleanup, log: (line: string) => void) {
    this.cleanup = cleanup
    this.log = log
  }

  /** Bootstrap/relay nodes first (the others need their addresses), then the rest in batches */
  static async start (cleanup: Cleanup, options: MeshOptions): Promise<Mesh> {
    const mesh = new Mesh(cleanup, options.log)
    const root = await cleanup.tempDir('pmesh-mesh-')
    const seeds = Math.max(1, options.relays)
    for (let i = 0; i < options.nodes; i++) {
      const role: Role = i < seeds ? (options.relays > 0 ? 'relay' : 'bootstrap') : (i >= options.nodes - options.firewalled ? 'firewalled' : 'peer')
      mesh.nodes.push(new MeshNode(i, role, join(root, `node-${i}`), role === 'relay' ? ['--relay'] : role === 'firewalled' ? ['--firewalled'] : []))
    }
    for (const node of mesh.seeds) await mesh.launch(node)
    const bootstrap = mesh.seeds.flatMap(node => ['--bootstrap', node.proc!.info.addresses[0]])
    for (const node of mesh.nodes) if (node.role === 'peer' || node.role === 'firewalled') node.startArgs.push(...bootstrap)
    await inBatches(mesh.nodes.filter(node => node.proc == null), options.concurrency ?? 4, async node => mesh.launch(node))
    return mesh
  }

  get seeds (): MeshNode[] { return this.nodes.filter(n => n.role === 'bootstrap' || n.role === 'relay') }
  get others (): MeshNode[] { return this.nodes.filter(n => n.role === 'peer' || n.role === 'firewalled') }

  /** Start (or restart, same home and flags) a node's process and attach to its API */
  async launch (node: MeshNode): Promise<Proc> {
    const proc = await startProc(this.cleanup, PMESH, ['start', '--home', node.home, '--listen', '/ip4/127.0.0.1/tcp/0', '--json', ...node.startArgs])
    node.proc = proc
    node.stopping = false
    node.events.length = 0
    proc.exited.then(code => {
      if (!node.stopping && !this.cleanup.closing) this.log(`  !! ${node.name} exited by itself (${code ?? proc.child.signalCode}): ${proc.stderr().trim().slice(-800)}`)
    }).catch(() => {})
    await node.attach()
    this.log(`  started ${node.name} in ${Math.round(proc.startMs)} ms  ${proc.info.uri}`)
    return proc
  }

  async stop (node: MeshNode, signal: NodeJS.Signals): Promise<void> {
    node.stopping = true
    node.detach()
    if (node.proc != null) await stopChild(node.proc.child, signal)
  }

  /**
   * Ready = every node has a peer (a node still alone after a while is
   * dialled to node 0 with POST /v1/connect, what `pmesh connect` does), and
   * every firewalled node announces a relay circuit address.
   */
  async ready (timeoutMs = 30_000): Promise<void> {
    const first = this.nodes[0].proc!.info.addresses[0]
    await Promise.all(this.nodes.map(async node => {
      const hasPeer = async (): Promise<boolean> => (await node.api('GET', '/v1/peers')).peers.length > 0
      try {
        await waitUntil(hasPeer, Math.min(10_000, timeoutMs), `${node.name} to find a peer`)
      } catch {
        this.log(`  ${node.name} is still alone: connecting it to node 0`)
        await node.api('POST', '/v1/connect', { multiaddr: first })
        await waitUntil(hasPeer, timeoutMs, `${node.name} to find a peer`)
      }
      if (node.role === 'firewalled') {
        const circuit = async (): Promise<boolean> => (await node.api('GET', '/v1/id')).addresses.some((a: string) => a.includes('/p2p-circuit'))
        await waitUntil(circuit, timeoutMs, `${node.name} to get a relay reservation`)
      }
    }))
  }

  /** Open connections per node, for the progress log */
  async peerCounts (): Promise<number[]> {
    return Promise.all(this.nodes.map(async node => node.running ? (await node.api('GET', '/v1/peers')).peers.length : 0))
  }
}

/** The node the presence scenarios watch: the first plain peer */
export function presentityOf (mesh: Mesh): MeshNode {
  return mesh.others.find(n => n.role === 'peer') ?? mesh.others[0]
}

/** Every other non-seed node watches it */
export function watchersOf (mesh: Mesh): MeshNode[] {
  const presentity = presentityOf(mesh)
  return mesh.others.filter(n => n !== presentity)
}
