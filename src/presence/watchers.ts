/**
 * The presentity's side of CPIM subscriptions: who watches us, until when,
 * and what access control answers each request. A watcher that stops
 * renewing (it vanished without cancelling) is dropped when its granted
 * duration runs out. Decisions the user takes later reach the watcher as a
 * Notice. Each change of ours is pushed to every watcher listed here
 * (push.ts).
 */
import { pbStream } from '@libp2p/utils'
import { peerIdFromString } from '@libp2p/peer-id'
import { Key, type Datastore } from 'interface-datastore'
import { Notice, SubscribeRequest, SubscribeResponse } from './pb/protocol.js'
import { StoredWatcher } from './pb/stored.js'
import { NOTICE_PROTOCOL, SUBSCRIBE_FRAME_LIMIT, SUBSCRIBE_PROTOCOL, SUBSCRIBE_STREAMS_PER_CONNECTION } from './protocol.js'
import { PRINTABLE_ID } from '../utils/formats.js'
import { isCount, need, readAll, storedForm } from '../utils/stored-values.js'
import { openStreamTo, timeoutSignal, withStream } from '../utils/streams.js'
import type { Answer, NoticeKind } from './access/control.js'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

const PREFIX = '/presence-mesh/presence/watchers'
const REQUEST_TIMEOUT_MS = 5_000
const NOTICE_TIMEOUT_MS = 5_000
/** Lapsed registrations are dropped within this long of their end */
const SWEEP_INTERVAL_MS = 5_000
const NOTICE_KINDS: Record<NoticeKind, Notice.Kind> = {
  approved: Notice.Kind.KIND_APPROVED,
  cancelled: Notice.Kind.KIND_CANCELLED,
  refused: Notice.Kind.KIND_REFUSED
}

export interface Watcher {
  peerId: PeerId
  transactionId: string
  since: number
  expiresAt: number
}

function watcher (fields: { transactionId: unknown, since: unknown, expiresAt: unknown }, key: Key): Watcher {
  const { transactionId, since, expiresAt } = fields
  need(typeof transactionId === 'string' && transactionId.length > 0, 'no transaction id')
  need(isCount(since) && isCount(expiresAt), 'a time is missing or out of range')
  return { peerId: peerIdFromString(key.baseNamespace()), transactionId, since, expiresAt }
}

/** A watcher as stored under its peer id; older versions wrote the same fields as JSON */
export const WATCHER_FORM = storedForm<StoredWatcher, Watcher>({
  codec: StoredWatcher,
  check: watcher,
  toMessage: ({ transactionId, since, expiresAt }) => ({ transactionId, since, expiresAt }),
  fromJson: (json: any, key) => watcher({ transactionId: json?.transactionId, since: json?.since, expiresAt: json?.expiresAt }, key)
})

export interface WatchersComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  datastore: Datastore
}

export interface WatchersInit {
  /** Longest duration granted, in seconds; watchers renew before it ends */
  maxDuration: number
  /**
   * Most watchers kept. Beyond it a new watcher is refused unless the user
   * made a rule for it: fresh identities cost a stranger nothing, and each
   * watcher is kept (and stored) until its grant ends
   */
  maxWatchers: number
  /** Whether the user made a rule (allow, deny, block) for this peer */
  hasRule(peer: PeerId): boolean
  /** Our current signed record, sent with every response */
  currentRecord(): Uint8Array | undefined
  /** Access control's answer to a request; records it when the user must decide */
  answer(peer: PeerId, transactionId: string): Promise<Answer & { newRequest: boolean }>
  onChange(event: 'added' | 'renewed' | 'cancelled' | 'expired', watcher: Watcher): void
  /** A request now waits for the user's decision */
  onRequest(peer: PeerId, transactionId: string): void
}

export class Watchers {
  private readonly components: WatchersComponents
  private readonly init: WatchersInit
  private readonly log: Logger
  private readonly watchers = new Map<string, Watcher>()
  /** Watchers whose grant ran out while we were stopped: they did not renew because we were away */
  private lapsed: PeerId[] = []
  private sweeper?: ReturnType<typeof setInterval>

  constructor (components: WatchersComponents, init: WatchersInit, log: Logger) {
    this.components = components
    this.init = init
    this.log = log
  }

  async start (): Promise<void> {
    const stored = readAll(this.components.datastore, PREFIX, WATCHER_FORM, this.log)
    for await (const { key, value } of stored) this.watchers.set(key.baseNamespace(), value)
    await this.components.registrar.handle(SUBSCRIBE_PROTOCOL, async (stream, connection) => this.handle(stream, connection), {
      maxInboundStreams: SUBSCRIBE_STREAMS_PER_CONNECTION,
      runOnLimitedConnection: true
    })
    this.sweeper = setInterval(() => { this.sweep().catch(err => this.log.error('sweep failed - %e', err)) }, SWEEP_INTERVAL_MS)
    this.sweeper.unref?.()
    const now = Date.now()
    this.lapsed = this.list().filter(w => w.expiresAt <= now).map(w => w.peerId)
    await this.sweep()
  }

  /**
   * Once after a start: the watchers whose grant ran out while we were
   * stopped. They tried to renew while we were away; our first record goes
   * to them too, and those still subscribed register again.
   */
  takeLapsed (): PeerId[] {
    const lapsed = this.lapsed
    this.lapsed = []
    return lapsed
  }

  async stop (): Promise<void> {
    clearInterval(this.sweeper)
    await this.components.registrar.unhandle(SUBSCRIBE_PROTOCOL)
    this.watchers.clear()
    this.lapsed = []
  }

  list (): Watcher[] {
    return [...this.watchers.values()]
  }

  get (peer: PeerId): Watcher | undefined {
    return this.watchers.get(peer.toString())
  }

  /** End a watcher's subscription on our side; false if it had none */
  async drop (peer: PeerId): Promise<boolean> {
    const watcher = this.watchers.get(peer.toString())
    if (watcher == null) return false
    await this.remove(watcher, 'cancelled')
    return true
  }

  /** Tell a watcher of a decision. Best effort: one that is away learns it at its next renewal */
  async tell (peer: PeerId, kind: NoticeKind, transactionId: string): Promise<void> {
    const signal = timeoutSignal(NOTICE_TIMEOUT_MS)
    try {
      const stream = await openStreamTo(this.components.connectionManager, peer, NOTICE_PROTOCOL, { signal })
      await withStream(stream, signal, async () => {
        await pbStream(stream).write({ kind: NOTICE_KINDS[kind], transactionId, reason: kind }, Notice, { signal })
      })
    } catch (err) {
      this.log('could not tell %p it is %s - %e', peer, kind, err)
    }
  }

  private async handle (stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    await withStream(stream, signal, async () => {
      const pb = pbStream(stream, { maxDataLength: SUBSCRIBE_FRAME_LIMIT, maxBufferSize: SUBSCRIBE_FRAME_LIMIT + 8 })
      const request = await pb.read(SubscribeRequest, { signal })
      await pb.write(await this.answer(connection.remotePeer, request), SubscribeResponse, { signal })
    })
  }

  /** The request is the watcher's own: the connection authenticated its peer id */
  private async answer (peerId: PeerId, request: SubscribeRequest): Promise<SubscribeResponse> {
    const record = this.init.currentRecord()
    const response = { transactionId: request.transactionId, record: record == null ? undefined : new Uint8Array(record) }
    if (!PRINTABLE_ID.test(request.transactionId)) {
      return { ...response, status: SubscribeResponse.Status.STATUS_FAILED, duration: 0, reason: 'transaction id must be 1-64 printable ASCII characters' }
    }
    const key = peerId.toString()
    const existing = this.watchers.get(key)
    // only the watcher itself reaches here for its peer id: it may always cancel
    if (request.duration === 0 && existing != null) await this.remove(existing, 'cancelled')
    const { decision, key: viewKey, newRequest } = await this.init.answer(peerId, request.transactionId)
    if (decision.kind === 'refuse') {
      if (existing != null && request.duration > 0) await this.remove(existing, 'cancelled')
      return { transactionId: request.transactionId, status: SubscribeResponse.Status.STATUS_REFUSED, duration: 0, reason: 'refused' }
    }
    if (decision.kind === 'pending') {
      if (newRequest) this.init.onRequest(peerId, request.transactionId)
      return { ...response, status: SubscribeResponse.Status.STATUS_PENDING, duration: 0, reason: 'waiting for the presentity\'s approval' }
    }
    const granted = { ...response, viewKey: viewKey == null ? undefined : { keyId: new Uint8Array(viewKey.keyId), key: new Uint8Array(viewKey.key) } }
    if (request.duration === 0) {
      return { ...granted, status: SubscribeResponse.Status.STATUS_OK, duration: 0, reason: '' }
    }
    if (existing == null && this.watchers.size >= this.init.maxWatchers && !this.init.hasRule(peerId)) {
      this.log('refusing %p: already %d watchers', peerId, this.watchers.size)
      return { transactionId: request.transactionId, status: SubscribeResponse.Status.STATUS_REFUSED, duration: 0, reason: 'too many watchers; try again later' }
    }
    const duration = Math.min(request.duration, this.init.maxDuration)
    const watcher: Watcher = {
      peerId,
      transactionId: request.transactionId,
      since: existing?.since ?? Date.now(),
      expiresAt: Date.now() + duration * 1000
    }
    this.watchers.set(key, watcher)
    await this.components.datastore.put(new Key(`${PREFIX}/${key}`), WATCHER_FORM.encode(watcher))
    this.init.onChange(existing == null ? 'added' : 'renewed', watcher)
    return { ...granted, status: SubscribeResponse.Status.STATUS_OK, duration, reason: '' }
  }

  private async sweep (): Promise<void> {
    const now = Date.now()
    for (const watcher of this.watchers.values()) {
      if (watcher.expiresAt <= now) await this.remove(watcher, 'expired')
    }
  }

  private async remove (watcher: Watcher, why: 'cancelled' | 'expired'): Promise<void> {
    this.watchers.delete(watcher.peerId.toString())
    await this.components.datastore.delete(new Key(`${PREFIX}/${watcher.peerId.toString()}`))
    this.init.onChange(why, watcher)
  }
}
