/**
 * The mesh identities of the XMPP users a gateway serves (docs/GATEWAY.md): each XMPP user gets a key
 * of its own on first use, kept in the gateway's datastore (so in its home), and a mesh node of its
 * own while it is active. Mesh users see that peer id as the XMPP user — they grant, deny or block it,
 * and watch it — so the mesh's access control holds per XMPP user, not per gateway.
 *
 * Nodes are started lazily, at most `maxActive` at once; a node whose XMPP user went offline is
 * stopped after `idleMs`, and it is the first to go when the bound is reached. Each node keeps its
 * state (subscriptions, watchers, access policy) under a prefix of the gateway's datastore, so a
 * restarted gateway resumes them.
 */
import { createHash } from 'node:crypto'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { NamespaceDatastore } from 'datastore-core'
import { Key, type Datastore, type KeyQuery, type Pair, type Query } from 'interface-datastore'
import { fromString } from 'uint8arrays'
import { StoredIdentity } from './pb/stored.js'
import { XmppIdentity, type IdentityHost } from './xmpp-identity.js'
import { isCount, need, readAll, readOne, storedForm } from '../utils/stored-values.js'
import type { PresenceMeshNode } from '../node/create-node.js'
import type { AbortOptions, Logger, PrivateKey } from '@libp2p/interface'

const PREFIX = '/presence-mesh/gateway/xmpp/identities'
const NODES = '/presence-mesh/gateway/xmpp/nodes'
/** Default most identity nodes running at once (each costs memory: docs/GATEWAY.md) */
export const DEFAULT_MAX_ACTIVE = 100
/** Default time an offline XMPP user's node keeps running, ms */
export const DEFAULT_IDLE_MS = 10 * 60_000
/** Idle nodes are looked for once per idle time, kept between these bounds */
const SWEEP_MAX_MS = 60_000
const SWEEP_MIN_MS = 1_000

/** Starts the mesh node of one identity, with this key and datastore (createNode in the CLI) */
export type IdentityNodeFactory = (privateKey: PrivateKey, datastore: Datastore) => Promise<PresenceMeshNode>

export interface IdentitiesInit {
  maxActive?: number
  idleMs?: number
}

interface Stored { jid: string, key: Uint8Array, lastActive: number }

function stored ({ jid, key, lastActive }: { jid: unknown, key: Uint8Array, lastActive: unknown }): Stored {
  need(typeof jid === 'string' && jid.length > 0, 'no JID')
  need(isCount(lastActive), 'no time of last activity')
  // a key that does not read would fail the identity's start every time: the entry is set aside instead
  privateKeyFromProtobuf(key)
  return { jid, key, lastActive }
}

/** An identity per JID; older versions wrote JSON with the key in base64 */
export const IDENTITY_FORM = storedForm<StoredIdentity, Stored>({
  codec: StoredIdentity,
  check: stored,
  toMessage: entry => ({ ...entry, key: new Uint8Array(entry.key) }),
  fromJson: (json: any) => {
    need(typeof json?.key === 'string', 'no key')
    return stored({ jid: json.jid, key: fromString(json.key, 'base64'), lastActive: json.lastActive })
  }
})

export class XmppIdentities {
  private readonly datastore: Datastore
  private readonly factory: IdentityNodeFactory
  private readonly host: IdentityHost
  private readonly log: Logger
  private readonly maxActive: number
  private readonly idleMs: number
  private readonly running = new Map<string, Promise<XmppIdentity>>()
  private sweeper?: ReturnType<typeof setInterval>

  constructor (datastore: Datastore, factory: IdentityNodeFactory, host: IdentityHost, init: IdentitiesInit = {}) {
    this.datastore = datastore
    this.factory = factory
    this.host = host
    this.log = host.log
    this.maxActive = init.maxActive ?? DEFAULT_MAX_ACTIVE
    this.idleMs = init.idleMs ?? DEFAULT_IDLE_MS
  }

  /** Start the identities active last time (up to the bound), so their subscriptions go on */
  async start (): Promise<void> {
    this.sweeper = setInterval(() => { this.sweep().catch(err => this.log.error('stopping idle identities - %e', err)) }, Math.max(SWEEP_MIN_MS, Math.min(this.idleMs, SWEEP_MAX_MS)))
    this.sweeper.unref()
    const known: Stored[] = []
    for await (const { value } of readAll(this.datastore, PREFIX, IDENTITY_FORM, this.log)) known.push(value)
    known.sort((a, b) => b.lastActive - a.lastActive)
    for (const entry of known.slice(0, this.maxActive)) {
      await this.get(entry.jid, { wake: true }).catch(err => this.log.error('resuming %s - %e', entry.jid, err))
    }
  }

  async stop (): Promise<void> {
    clearInterval(this.sweeper)
    const all = [...this.running.values()]
    await Promise.allSettled(all.map(async pending => this.retire(await pending)))
  }

  /** The identity of a bare JID, running; created on first use unless `create` is false (then undefined) */
  async get (jid: string, options?: { create?: true, wake?: boolean }): Promise<XmppIdentity>
  async get (jid: string, options: { create: boolean }): Promise<XmppIdentity | undefined>
  async get (jid: string, options: { create?: boolean, wake?: boolean } = {}): Promise<XmppIdentity | undefined> {
    const started = this.running.get(jid)
    if (started != null) return started
    const entry = await this.load(jid)
    if (entry == null && options.create === false) return undefined
    // the check above awaited: another call may have started it meanwhile
    const raced = this.running.get(jid)
    if (raced != null) return raced
    // listed before it starts, so that a second call waits for this one
    const starting = (async () => {
      await this.makeRoom(jid)
      return this.startIdentity(jid, entry, options.wake === true)
    })()
    this.running.set(jid, starting)
    starting.catch(() => { if (this.running.get(jid) === starting) this.running.delete(jid) })
    return starting
  }

  /** How many identity nodes run */
  get active (): number {
    return this.running.size
  }

  private async startIdentity (jid: string, entry: Stored | undefined, wake: boolean): Promise<XmppIdentity> {
    let privateKey: PrivateKey
    if (entry == null) {
      privateKey = await generateKeyPair('Ed25519')
    } else {
      privateKey = privateKeyFromProtobuf(entry.key)
    }
    await this.save({ jid, key: privateKeyToProtobuf(privateKey), lastActive: Date.now() })
    const node = await this.factory(privateKey, scoped(this.datastore, new Key(`${NODES}/${hash(jid)}`)))
    const identity = new XmppIdentity(jid, node, this.host)
    try {
      await identity.start(wake)
    } catch (err) {
      // the start's error is the one to report; a stop of a half-started node may fail as well
      await identity.stop().catch(() => {})
      throw err
    }
    this.log('%s is %p', jid, node.peerId)
    return identity
  }

  /**
   * Below the bound: stop the identity whose XMPP user went offline longest ago, else the one least
   * recently active (its user gets the mesh users' changes again once its client probes them)
   */
  private async makeRoom (starting: string): Promise<void> {
    const others = [...this.running].filter(([jid]) => jid !== starting)
    if (others.length < this.maxActive) return
    const identities = (await Promise.all(others.map(async ([, p]) => p.catch(() => undefined)))).filter(i => i != null)
    const rank = (identity: XmppIdentity): number => identity.online === false ? 0 : 1
    identities.sort((a, b) => rank(a) - rank(b) || a.lastActive - b.lastActive)
    if (identities[0] != null) await this.retire(identities[0])
  }

  /**
   * Stop, after `idleMs` without activity, the nodes of XMPP users gone offline, and of those whose
   * state is unknown and who watch nobody. One whose user is online, or may be and watches someone,
   * keeps running: the server tells the gateway when a user logs off only if the user lets one of
   * the served JIDs see its presence.
   */
  async sweep (now = Date.now()): Promise<void> {
    for (const pending of [...this.running.values()]) {
      const identity = await pending.catch(() => undefined)
      if (identity == null || identity.online === true || now - identity.lastActive < this.idleMs) continue
      if (identity.online === false || !identity.watching) await this.retire(identity)
    }
  }

  private async retire (identity: XmppIdentity): Promise<void> {
    this.running.delete(identity.jid)
    const stored = await this.load(identity.jid)
    if (stored != null) await this.save({ ...stored, lastActive: identity.lastActive })
    await identity.stop()
    this.log('stopped the node of %s, inactive since %s', identity.jid, new Date(identity.lastActive).toISOString())
  }

  private async load (jid: string): Promise<Stored | undefined> {
    const stored = await readOne(this.datastore, new Key(`${PREFIX}/${hash(jid)}`), IDENTITY_FORM, this.log)
    return stored?.jid === jid ? stored : undefined
  }

  private async save (entry: Stored): Promise<void> {
    await this.datastore.put(new Key(`${PREFIX}/${hash(entry.jid)}`), IDENTITY_FORM.encode(entry))
  }
}

/** Datastore keys hold no '@' or '/' from a JID, and their length is bounded */
function hash (jid: string): string {
  return createHash('sha256').update(jid).digest('hex').slice(0, 32)
}

/**
 * `store` under `prefix`. NamespaceDatastore alone turns every query into a scan of the whole store
 * (it drops the query's prefix); here the store is asked for the namespace's keys only.
 * It also runs a query's own filters before its prefix test, so a filter saw keys of every kind under
 * the namespace: the peer store's, which reads each key as a peer id, threw on the DHT's records, and
 * libp2p's reconnect to kept-alive peers at start failed for every gateway identity. Here a query's
 * filters see only keys under its prefix.
 */
function scoped (store: Datastore, prefix: Key): Datastore {
  const namespace = prefix.toString()
  const hinted = new Proxy(store, {
    get: (target, name) => {
      if (name === 'query' || name === 'queryKeys') {
        return (q: { prefix?: string }, options?: unknown) => (target as any)[name]({ ...q, prefix: q.prefix ?? namespace }, options)
      }
      const value = (target as any)[name]
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
  const scopedStore = new NamespaceDatastore(hinted, prefix)
  return new Proxy(scopedStore, {
    get: (target, name) => {
      if (name === 'query') return (q: Query, options?: AbortOptions) => target.query(prefixFirst<Pair, Query>(q, entry => entry.key), options)
      if (name === 'queryKeys') return (q: KeyQuery, options?: AbortOptions) => target.queryKeys(prefixFirst<Key, KeyQuery>(q, key => key), options)
      const value = (target as any)[name]
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/** `q` with each filter run only on keys under its prefix */
function prefixFirst<T, Q extends { prefix?: string, filters?: Array<(item: T) => boolean> }> (q: Q, keyOf: (item: T) => Key): Q {
  const { prefix, filters } = q
  if (prefix == null || prefix === '/' || filters == null) return q
  return { ...q, filters: filters.map(filter => (item: T) => keyOf(item).toString().startsWith(prefix) && filter(item)) }
}
