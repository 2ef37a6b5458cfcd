/**
 * The mailbox service: the relay side keeps sealed boxes for offline
 * recipients (deposit, drain); every node drains its own mail from the
 * mailbox peers it connects to.
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import { byteStream, pbStream, type ProtobufStream } from '@libp2p/utils'
import * as Digest from 'multiformats/hashes/digest'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { MAILBOX_CAPABILITY, DEFAULT_MAILBOX_LIMITS, DEPOSIT_FRAME_LIMIT, DEPOSIT_PROTOCOL, DEPOSITS_IN_FLIGHT_BYTES, DEPOSITS_IN_FLIGHT_PER_PEER_BYTES, UNRESERVED_DEPOSIT_BYTES, DEPOSIT_STREAMS_PER_CONNECTION, DRAIN_BATCH_BYTES, DRAIN_BATCH_ITEMS, DRAIN_FRAME_LIMIT, DRAIN_PROTOCOL, DRAIN_STREAMS_PER_CONNECTION, MAX_BOX_SIZE, MIN_SWEEP_INTERVAL_MS, NOTIFY_PROTOCOL, NOTIFY_STREAMS_PER_CONNECTION, SWEEP_INTERVAL_MS } from './constants.js'
import { verifyDepositToken } from './deposit-token.js'
import { MailboxStore, type DepositOutcome } from './mailbox-store.js'
import { Batch, Deposit, DepositResult as PBDepositResult, DrainAck, DrainRequest } from './pb/mailbox.js'
import { ByteBudget } from '../utils/byte-budget.js'
import { openStreamTo, readLength, timeoutSignal, withStream } from '../utils/streams.js'
import { DepositRefusedError } from './errors.js'
import type { DepositOptions, DepositRefusal, DepositResult, Mailbox, MailboxActivity, MailboxComponents, MailboxInit, MailHandler } from './index.js'
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import type { AbortOptions, Connection, Counter, CounterGroup, IdentifyResult, Logger, PeerId, Startable, Stream } from '@libp2p/interface'

const REQUEST_TIMEOUT_MS = 10_000
/**
 * One drain round: the batch, the drainer storing up to DRAIN_BATCH_ITEMS
 * messages (seconds on a busy machine), its ack. Only the owner drains, so
 * the longer wait only ever holds the owner's own stream
 */
const DRAIN_TIMEOUT_MS = 60_000
/** Refusals on the wire */
const REFUSALS: Array<[DepositRefusal, PBDepositResult.Status]> = [
  ['box-full', PBDepositResult.Status.STATUS_BOX_FULL],
  ['too-large', PBDepositResult.Status.STATUS_TOO_LARGE],
  ['refused', PBDepositResult.Status.STATUS_REFUSED],
  ['share-used', PBDepositResult.Status.STATUS_SHARE_USED],
  ['depositor-quota', PBDepositResult.Status.STATUS_DEPOSITOR_QUOTA],
  ['relay-full', PBDepositResult.Status.STATUS_RELAY_FULL],
  ['token-invalid', PBDepositResult.Status.STATUS_TOKEN_INVALID]
]
/** What a small deposit holds of the budget: nothing (UNRESERVED_DEPOSIT_BYTES) */
const UNRESERVED = { bytes: 0, release: () => {} }
/** A DepositResult: a status, a reason for people, a time and a flag */
const DEPOSIT_RESULT_LIMIT = 4096
/** A batch of boxes plus framing: DRAIN_BATCH_BYTES, and one box more (a batch holds at least one) */
const MAX_BATCH_BYTES = DRAIN_BATCH_BYTES + MAX_BOX_SIZE + DRAIN_BATCH_ITEMS * 64

export class MailboxService implements Mailbox, Startable {
  private readonly components: MailboxComponents
  private readonly serve: boolean
  private readonly store: MailboxStore
  private readonly log: Logger
  private handler?: MailHandler
  private readonly draining = new Set<string>()
  private sweeper?: ReturnType<typeof setInterval>
  private readonly sweepInterval: number
  private readonly onActivity: (activity: MailboxActivity) => void
  private readonly deposits?: CounterGroup
  private readonly drained?: Counter
  /** Deposits being read: the depositor is not yet known to be a contact, so all count alike */
  private readonly inFlight = new ByteBudget({ total: DEPOSITS_IN_FLIGHT_BYTES, perPeer: DEPOSITS_IN_FLIGHT_PER_PEER_BYTES, strangers: DEPOSITS_IN_FLIGHT_BYTES, what: 'deposits' })

  constructor (components: MailboxComponents, init: MailboxInit = {}) {
    this.components = components
    const { serve, onActivity, ...limits } = init
    this.serve = serve ?? false
    this.onActivity = onActivity ?? (() => {})
    this.log = components.logger.forComponent('presence-mesh:mailbox')
    const defined = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined))
    const settings = { ...DEFAULT_MAILBOX_LIMITS, ...defined }
    this.store = new MailboxStore(components.datastore, settings, this.log)
    // a short time to live (tests, small relays) is swept as promptly as it is meant
    this.sweepInterval = Math.max(MIN_SWEEP_INTERVAL_MS, Math.min(SWEEP_INTERVAL_MS, settings.ttlMs / 4))
    const metrics = components.metrics
    if (metrics != null && this.serve) {
      metrics.registerMetric('presence_mesh_mailbox_items', { help: 'Sealed messages this relay keeps for offline recipients', calculate: () => this.store.usage().items })
      metrics.registerMetric('presence_mesh_mailbox_bytes', { help: 'Bytes of sealed messages this relay keeps', calculate: () => this.store.usage().bytes })
      this.deposits = metrics.registerCounterGroup('presence_mesh_mailbox_deposits_total', { label: 'outcome', help: 'Deposits handled, by outcome: stored or the refusal (box-full, share-used, depositor-quota, relay-full, token-invalid, too-large, refused)' })
      this.drained = metrics.registerCounter('presence_mesh_mailbox_drained_total', { help: 'Sealed messages handed to their recipients and deleted' })
    }
  }

  readonly [Symbol.toStringTag] = '@presence-mesh/mailbox'
  readonly [serviceCapabilities] = [MAILBOX_CAPABILITY]
  // identify tells a client which connected peers keep mailboxes
  readonly [serviceDependencies] = ['@libp2p/identify']

  async start (): Promise<void> {
    if (this.serve) {
      await this.store.load()
      await this.components.registrar.handle(DEPOSIT_PROTOCOL, async (stream, connection) => this.onDeposit(stream, connection), { maxInboundStreams: DEPOSIT_STREAMS_PER_CONNECTION, runOnLimitedConnection: true })
      await this.components.registrar.handle(DRAIN_PROTOCOL, async (stream, connection) => this.onDrain(stream, connection), { maxInboundStreams: DRAIN_STREAMS_PER_CONNECTION, runOnLimitedConnection: true })
      this.sweeper = setInterval(() => { this.store.sweep().catch(err => this.log.error('sweep failed - %e', err)) }, this.sweepInterval)
      this.sweeper.unref?.()
    }
    await this.components.registrar.handle(NOTIFY_PROTOCOL, async (stream, connection) => {
      await stream.close()
      this.drainInBackground(connection.remotePeer)
    }, { maxInboundStreams: NOTIFY_STREAMS_PER_CONNECTION, runOnLimitedConnection: true })
    this.components.events.addEventListener('peer:identify', this.onIdentify)
  }

  async stop (): Promise<void> {
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    await this.components.registrar.unhandle(NOTIFY_PROTOCOL)
    clearInterval(this.sweeper)
    if (this.serve) {
      await this.components.registrar.unhandle(DEPOSIT_PROTOCOL)
      await this.components.registrar.unhandle(DRAIN_PROTOCOL)
    }
  }

  handle (handler: MailHandler): void {
    this.handler = handler
  }

  async mailboxPeers (): Promise<PeerId[]> {
    const peers: PeerId[] = []
    for (const connection of this.components.connectionManager.getConnections()) {
      const protocols = await this.components.peerStore.get(connection.remotePeer).then(p => p.protocols, (): string[] => [])
      if (protocols.includes(DEPOSIT_PROTOCOL) && !peers.some(p => p.equals(connection.remotePeer))) peers.push(connection.remotePeer)
    }
    return peers
  }

  /** What this relay holds in all (0 on a node that keeps no mailboxes) */
  usage (): { items: number, bytes: number } {
    return this.store.usage()
  }

  async deposit (mailbox: PeerId, recipient: PeerId, box: Uint8Array, options: DepositOptions = {}): Promise<DepositResult> {
    if (box.byteLength > MAX_BOX_SIZE) return { status: 'too-large', mailbox, reason: `sealed message of ${box.byteLength} bytes exceeds ${MAX_BOX_SIZE}` }
    const signal = timeoutSignal(REQUEST_TIMEOUT_MS, options.signal)
    let result: PBDepositResult
    try {
      const stream = await openStreamTo(this.components.connectionManager, mailbox, DEPOSIT_PROTOCOL, { signal })
      result = await withStream(stream, signal, async () => {
        const pb = pbStream(stream, { maxDataLength: DEPOSIT_RESULT_LIMIT })
        await pb.write({ recipient: recipient.toMultihash().bytes, box: new Uint8Array(box), token: options.token == null ? undefined : new Uint8Array(options.token) }, Deposit, { signal })
        return pb.read(PBDepositResult, { signal })
      })
    } catch (err: any) {
      return { status: 'unreachable', mailbox, reason: err.message }
    }
    if (result.status === PBDepositResult.Status.STATUS_STORED) return { status: 'stored', mailbox, expiresAt: Number(result.expiresAt), contact: result.contact }
    if (result.status === PBDepositResult.Status.STATUS_UNSPECIFIED) return { status: 'refused', mailbox, reason: 'the mailbox answered without a status' }
    return { status: REFUSALS.find(([, pb]) => pb === result.status)?.[0] ?? 'refused', mailbox, reason: result.reason }
  }

  async drain (mailbox: PeerId, options: AbortOptions = {}): Promise<number> {
    const handler = this.handler
    if (handler == null) return 0
    let taken = 0
    for (let more = true; more;) {
      const signal = timeoutSignal(DRAIN_TIMEOUT_MS, options.signal)
      const stream = await openStreamTo(this.components.connectionManager, mailbox, DRAIN_PROTOCOL, { signal })
      more = await withStream(stream, signal, async () => {
        const pb = pbStream(stream, { maxDataLength: MAX_BATCH_BYTES })
        await pb.write({ maxItems: DRAIN_BATCH_ITEMS }, DrainRequest, { signal })
        const batch = await pb.read(Batch, { signal })
        // the batch's boxes are taken together (their stores share a datastore batch); a box we
        // cannot use is acknowledged too: keeping it would only block the mailbox
        const done = await Promise.all(batch.items.map(async item => {
          await handler(item.box, mailbox).catch(err => this.log('dropping undeliverable mail %s - %e', item.id, err))
          return item.id
        }))
        await pb.write({ ids: done }, DrainAck, { signal })
        taken += done.length
        return batch.more && done.length > 0
      })
    }
    return taken
  }

  private async onDeposit (stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    await withStream(stream, signal, async () => {
      // the length prefix first: the box's bytes are reserved before they are read (and buffered)
      const bytes = byteStream(stream, { maxBufferSize: DEPOSIT_FRAME_LIMIT + 8 })
      const length = await readLength(bytes, signal)
      const reservation = length > DEPOSIT_FRAME_LIMIT
        ? 'too-large'
        : length <= UNRESERVED_DEPOSIT_BYTES ? UNRESERVED : this.inFlight.reserve(connection.remotePeer, length, false)
      if (typeof reservation === 'string') {
        const result = reservation === 'too-large'
          ? { status: PBDepositResult.Status.STATUS_TOO_LARGE, reason: `a deposit of ${length} bytes exceeds ${DEPOSIT_FRAME_LIMIT}` }
          : { status: PBDepositResult.Status.STATUS_RELAY_FULL, reason: `busy: ${reservation}; try again later` }
        const answer = PBDepositResult.encode({ ...result, expiresAt: 0n, contact: false })
        await bytes.write(new Uint8ArrayList(varint.encode(answer.byteLength), answer), { signal })
        // the refused box is not read: the stream is reset once the answer is out, so the muxer drops the
        // rest rather than the stream buffering it (read and dropped, it still cost the relay tens of MiB)
        stream.abort(new DepositRefusedError(`deposit of ${length} bytes refused before its box was read: ${result.reason}`))
        return
      }
      try {
        const request = Deposit.decode(await bytes.read({ bytes: length, signal }))
        await this.answerDeposit(pbStream(bytes.unwrap()), connection.remotePeer, request, signal)
      } finally {
        reservation.release()
      }
    })
  }

  private async answerDeposit (pb: ProtobufStream<Stream>, depositor: PeerId, request: Deposit, signal: AbortSignal): Promise<void> {
    let recipient: PeerId
    try {
      recipient = peerIdFromMultihash(Digest.decode(request.recipient))
    } catch {
      return pb.write({ status: PBDepositResult.Status.STATUS_REFUSED, reason: 'recipient is not a peer id', expiresAt: 0n }, PBDepositResult, { signal })
    }
    const outcome = await this.take(recipient, depositor, request)
    this.log('deposit for %p from %p: %s', recipient, depositor, outcome.stored ? 'stored' : outcome.reason)
    const status = outcome.stored ? 'stored' : outcome.status
    this.deposits?.increment({ [status]: 1 })
    const usage = this.store.usage()
    this.onActivity({ type: 'deposit', outcome: status, bytes: request.box.byteLength, heldItems: usage.items, heldBytes: usage.bytes })
    if (outcome.stored) this.notify(recipient)
    await pb.write(outcome.stored
      ? { status: PBDepositResult.Status.STATUS_STORED, reason: '', expiresAt: BigInt(outcome.expiresAt), contact: outcome.contact }
      : { status: REFUSALS.find(([status]) => status === outcome.status)?.[1] ?? PBDepositResult.Status.STATUS_REFUSED, reason: outcome.reason, expiresAt: 0n, contact: false }, PBDepositResult, { signal })
  }

  /** A box from the authenticated `depositor`: with a valid token of the recipient's it is a contact's */
  private async take (recipient: PeerId, depositor: PeerId, request: Deposit): Promise<DepositOutcome | { stored: false, status: DepositRefusal, reason: string }> {
    if (request.box.byteLength > MAX_BOX_SIZE) return { stored: false, status: 'too-large', reason: `sealed message of ${request.box.byteLength} bytes exceeds ${MAX_BOX_SIZE}` }
    if (request.token != null) {
      try {
        await verifyDepositToken(request.token, recipient, depositor)
      } catch (err: any) {
        return { stored: false, status: 'token-invalid', reason: err.message }
      }
    }
    return this.store.deposit(recipient, depositor, request.box, request.token != null)
  }

  /** Only the recipient itself drains: the connection authenticates its peer id */
  private async onDrain (stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(DRAIN_TIMEOUT_MS)
    const owner = connection.remotePeer
    await withStream(stream, signal, async () => {
      const pb = pbStream(stream, { maxDataLength: DRAIN_FRAME_LIMIT, maxBufferSize: DRAIN_FRAME_LIMIT + 8 })
      const request = await pb.read(DrainRequest, { signal })
      const { items: batch, more } = await this.store.list(owner, Math.max(1, Math.min(request.maxItems, DRAIN_BATCH_ITEMS)), Date.now(), DRAIN_BATCH_BYTES)
      await pb.write({ items: batch.map(i => ({ id: i.id, box: new Uint8Array(i.box), depositedAt: BigInt(i.depositedAt) })), more }, Batch, { signal })
      const ack = await pb.read(DrainAck, { signal })
      const offered = new Set(batch.map(i => i.id))
      const taken = ack.ids.filter(id => offered.has(id))
      await this.store.remove(owner, taken)
      if (taken.length > 0) {
        this.drained?.increment(taken.length)
        const usage = this.store.usage()
        this.onActivity({ type: 'drain', items: taken.length, heldItems: usage.items, heldBytes: usage.bytes })
      }
    })
  }

  /** Tell a connected recipient it has mail, so it need not wait until it reconnects */
  private notify (recipient: PeerId): void {
    if (this.components.connectionManager.getConnections(recipient).length === 0) return
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    openStreamTo(this.components.connectionManager, recipient, NOTIFY_PROTOCOL, { signal })
      .then(async stream => stream.close({ signal }))
      .catch(err => this.log('could not tell %p it has mail - %e', recipient, err))
  }

  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    if (event.detail.protocols.includes(DRAIN_PROTOCOL)) this.drainInBackground(event.detail.peerId)
  }

  private drainInBackground (peerId: PeerId): void {
    const key = peerId.toString()
    if (this.handler == null || this.draining.has(key)) return
    this.draining.add(key)
    this.drain(peerId)
      .then(count => { if (count > 0) this.log('drained %d items from %p', count, peerId) })
      .catch(err => this.log('draining %p failed - %e', peerId, err))
      .finally(() => this.draining.delete(key))
  }
}
