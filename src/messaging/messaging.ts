/**
 * The messaging service: receives messages under the inbox policy, and
 * delivers ours with retries until a signed receipt or a final failure.
 */
import { TypedEventEmitter } from 'main-event'
import { equals } from 'uint8arrays/equals'
import { fromString } from 'uint8arrays/from-string'
import { messageDigest, openBatchAck, signBatchAck } from './ack.js'
import { AckReturns } from './ack-returns.js'
import { DepositTokens } from './deposit-tokens.js'
import { IM_CAPABILITY, DEFAULT_MAX_BODY_SIZE, IM_PROTOCOL, IM_STREAMS_PER_CONNECTION } from './constants.js'
import { MessageTooLargeError } from './errors.js'
import { Inbound } from './inbound.js'
import { newMessageId, readOwnMessage, sealMessage, validateMessage, type InstantMessage } from './message.js'
import { Outbound } from './outbound.js'
import { Mail, Receipt as PBReceipt } from './pb/message.js'
import { EnvelopeSigner } from './signing.js'
import { open as openBox, seal as sealBox } from '../mailbox/sealed-box.js'
import { MAILBOX_CAPABILITY } from '../mailbox/constants.js'
import { PRESENCE_CAPABILITY } from '../presence/constants.js'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import { Admission } from './admission.js'
import { isContact, InboxPolicyStore, type InboxPolicy, type InboxPolicyChange } from './inbox-policy.js'
import { Reception } from './reception.js'
import { Route } from './routes.js'
import { Waiting } from './waiting.js'
import { MessageStore, type OutboxEntry, type SentMessage, type StoredMessage } from './store.js'
import { clearableTimeout } from '../utils/streams.js'
import type { FailureReason, InstantMessaging, InstantMessagingInit, MessagingComponents, MessagingEvents, OutgoingMessage, SendResult } from './index.js'
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import type { NotifyEvent } from '../presence/index.js'
import type { AbortOptions, Logger, PeerId, Startable } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const DEFAULT_SEND_TIMEOUT = 20_000
const DEFAULT_ATTEMPT_TIMEOUT = 5_000
/** Waits between attempts; the last one repeats until the deadline */
const BACKOFF_MS = [250, 500, 1_000, 2_000]
/** Dials that never reached the recipient before a mailbox is tried instead */
const ATTEMPTS_BEFORE_MAILBOX = 3
/** How often waiting messages are checked for having grown too old to be accepted */
const WAITING_SWEEP_MS = 60 * 60_000

/** A final answer from the recipient, as opposed to a failure to get one */
class FinalOutcome extends Error {
  readonly reason: FailureReason
  constructor (reason: FailureReason, detail: string) {
    super(detail)
    this.reason = reason
  }
}

/** Never reached: a mailbox's refusal, when there was one, is the reason that matters to the sender */
function unreachable (lastError: string, mailboxRefusal?: string): { status: 'failed', reason: FailureReason, detail: string } {
  if (mailboxRefusal == null) return { status: 'failed', reason: 'unreachable', detail: lastError }
  return { status: 'failed', reason: 'mailbox-refused', detail: `the recipient is unreachable and ${mailboxRefusal}` }
}

export class MessagingService extends TypedEventEmitter<MessagingEvents> implements InstantMessaging, Startable {
  private readonly components: MessagingComponents
  private readonly maxBodySize: number
  private readonly sendTimeout: number
  private readonly attemptTimeout: number
  private readonly log: Logger
  private readonly store: MessageStore
  private readonly policyStore: InboxPolicyStore
  private readonly admission: Admission
  private readonly reception: Reception
  private readonly tokens: DepositTokens
  /** Our key as a node KeyObject, made once: messages and acks are signed with it */
  private readonly signer: EnvelopeSigner
  private readonly outbound: Outbound
  private readonly inbound: Inbound
  private readonly ackReturns: AckReturns
  /** Messages whose recipient was unreachable, until it is seen online */
  private readonly waiting: Waiting
  private sweeper?: ReturnType<typeof setInterval>
  private shutdown = new AbortController()

  constructor (components: MessagingComponents, init: InstantMessagingInit = {}) {
    super()
    this.components = components
    this.maxBodySize = init.maxBodySize ?? DEFAULT_MAX_BODY_SIZE
    this.sendTimeout = init.sendTimeout ?? DEFAULT_SEND_TIMEOUT
    this.attemptTimeout = init.attemptTimeout ?? DEFAULT_ATTEMPT_TIMEOUT
    this.log = components.logger.forComponent('presence-mesh:im')
    this.registerMetrics()
    this.store = new MessageStore(components.datastore, this.maxBodySize)
    this.policyStore = new InboxPolicyStore(components.datastore, this.log)
    this.admission = new Admission(this.store, init.inbox)
    this.tokens = new DepositTokens(components, this.log)
    this.signer = new EnvelopeSigner(components.privateKey)
    this.reception = new Reception({
      self: components.peerId,
      maxBodySize: this.maxBodySize,
      log: this.log,
      store: this.store,
      admission: this.admission,
      policyStore: this.policyStore,
      isContact: peer => isContact(components, peer),
      onMessage: stored => this.safeDispatchEvent('message', { detail: stored })
    })
    this.ackReturns = new AckReturns({
      mailbox: components.mailbox,
      tokens: this.tokens,
      log: this.log,
      seal: async (sender, entries, contact) => sealBox(sender, Mail.encode({
        batchAck: new Uint8Array(await signBatchAck(this.signer, sender, entries, Date.now())),
        depositToken: contact ? await this.tokens.issue(sender) : undefined
      }))
    })
    this.outbound = new Outbound({
      self: components.peerId,
      log: this.log,
      openTimeout: this.attemptTimeout,
      onDepositToken: (recipient, token) => { void this.tokens.remember(recipient, token) }
    })
    this.inbound = new Inbound({
      log: this.log,
      maxBodySize: this.maxBodySize,
      writeTimeout: this.attemptTimeout,
      take: async (envelope, via) => this.reception.take(envelope, via, true),
      acknowledge: async (sender, entries) => signBatchAck(this.signer, sender, entries, Date.now()),
      depositToken: async (sender) => this.tokens.issue(sender)
    })
    this.waiting = new Waiting({
      retry: entry => { this.deliver(entry, Date.now()).catch(err => this.log.error('sending %s again failed - %e', entry.id, err)) },
      expire: entry => {
        this.finish(entry, { status: 'failed', reason: 'timed-out', detail: 'the recipient was not seen online before the message grew too old to be accepted' })
          .catch(err => this.log.error('expiring %s failed - %e', entry.id, err))
      }
    })
  }

  /** Our counters in the node's metrics, when it has them: each message's outcome, and messages received */
  private registerMetrics (): void {
    const metrics = this.components.metrics
    if (metrics == null) return
    const outcomes = metrics.registerCounterGroup('presence_mesh_im_outcomes_total', { label: 'outcome', help: 'Outcomes of the messages this node sent: delivered, stored (by a mailbox), queued (waiting to be seen online) or failed' })
    const received = metrics.registerCounter('presence_mesh_im_received_total', { help: 'New messages this node received (duplicates not counted)' })
    this.addEventListener('receipt', event => { outcomes.increment({ [event.detail.status]: true }) })
    this.addEventListener('message', () => { received.increment() })
  }

  readonly [Symbol.toStringTag] = '@presence-mesh/im'
  readonly [serviceCapabilities] = [IM_CAPABILITY]
  // a recipient's addresses come from its presence record; offline recipients get a mailbox
  readonly [serviceDependencies] = [PRESENCE_CAPABILITY, MAILBOX_CAPABILITY]

  async start (): Promise<void> {
    this.shutdown = new AbortController()
    await this.policyStore.load()
    await this.admission.start()
    this.components.mailbox.handle(async (box, mailbox) => this.onMail(box, mailbox))
    await this.components.registrar.handle(IM_PROTOCOL, async (stream, connection) => this.inbound.handle(stream, connection), {
      maxInboundStreams: IM_STREAMS_PER_CONNECTION,
      runOnLimitedConnection: true
    })
    this.components.events.addEventListener('peer:connect', this.onConnect)
    this.components.presence.addEventListener('notify', this.onNotify)
  }

  /** A recipient we could not reach is seen again: a connection to it opened */
  private readonly onConnect = (event: CustomEvent<PeerId>): void => {
    if (this.waiting.has(event.detail)) this.waiting.seen(event.detail)
  }

  /** … or its presence says it is open (its record names where to reach it) */
  private readonly onNotify = (event: CustomEvent<NotifyEvent>): void => {
    const { target, record } = event.detail
    if (record?.basic === 'open' && this.waiting.has(target)) this.waiting.seen(target)
  }

  /** Resume what was still being delivered when the node last stopped */
  async afterStart (): Promise<void> {
    await this.store.prune().catch(err => this.log.error('pruning seen messages failed - %e', err))
    for (const entry of await this.store.outbox()) {
      // waiting for its recipient: sent when it is seen, not tried now
      if (entry.waiting === true && this.waiting.add(entry)) continue
      this.deliver(entry, Date.now()).catch(err => this.log.error('resuming %s failed - %e', entry.id, err))
    }
    // a recipient never seen again: its messages leave the outbox once too old to be accepted
    this.waiting.sweep()
    this.sweeper = setInterval(() => { this.waiting.sweep() }, WAITING_SWEEP_MS)
    this.sweeper.unref?.()
  }

  async stop (): Promise<void> {
    this.shutdown.abort()
    clearInterval(this.sweeper)
    this.components.events.removeEventListener('peer:connect', this.onConnect)
    this.components.presence.removeEventListener('notify', this.onNotify)
    this.outbound.stop()
    await this.components.registrar.unhandle(IM_PROTOCOL)
  }

  async send (to: PeerId, outgoing: OutgoingMessage, options: AbortOptions = {}): Promise<SendResult> {
    const started = Date.now()
    const message: InstantMessage = {
      from: this.components.peerId,
      to,
      id: newMessageId(started),
      date: started,
      subject: outgoing.subject,
      contentType: outgoing.contentType ?? 'text/plain; charset=utf-8',
      body: typeof outgoing.body === 'string' ? fromString(outgoing.body) : outgoing.body,
      headers: outgoing.headers ?? [],
      inReplyTo: outgoing.inReplyTo
    }
    // a node cannot dial itself: refused here rather than when every dial has failed
    if (to.equals(this.components.peerId)) return { status: 'failed', reason: 'invalid', detail: 'the recipient is this node itself; a message needs another recipient', id: message.id, ms: 0 }
    let envelope: Uint8Array
    try {
      validateMessage(message, this.maxBodySize)
      envelope = await sealMessage(this.signer, message, this.maxBodySize)
    } catch (err: any) {
      const reason = err instanceof MessageTooLargeError ? 'too-large' : 'invalid'
      return { status: 'failed', reason, detail: err.message, id: message.id, ms: Date.now() - started }
    }
    const entry: OutboxEntry = { envelope, to, id: message.id, createdAt: started }
    // the message goes out while its outbox entry is written (the entry is for resuming after a
    // restart; the recipient dedupes a message sent again); the two writes keep their order
    const queued = this.store.queue(entry).then(() => undefined, (err: Error) => err)
    const result = await this.deliver(entry, started, options.signal, message)
    const failed = await queued
    if (failed != null) throw failed
    return { ...result, ms: Date.now() - started }
  }

  async inbox (): Promise<StoredMessage[]> {
    return this.store.inbox()
  }

  async sent (): Promise<SentMessage[]> {
    return this.store.sent()
  }

  policy (): InboxPolicy {
    return this.policyStore.get()
  }

  async setPolicy (change: InboxPolicyChange): Promise<InboxPolicy> {
    return this.policyStore.update(change)
  }

  async allow (peer: PeerId): Promise<InboxPolicy> {
    await this.admission.forgetDropped(peer)
    return this.policyStore.allow(peer)
  }

  async block (peer: PeerId): Promise<InboxPolicy> {
    return this.policyStore.block(peer)
  }

  async unblock (peer: PeerId): Promise<InboxPolicy> {
    await this.admission.forgetDropped(peer)
    return this.policyStore.clear(peer)
  }

  async deleteMessages (messages: Array<{ from: PeerId, id: string }>): Promise<number> {
    return this.admission.delete(messages)
  }

  /**
   * Try until a receipt, a final refusal, or the deadline. Transient failures
   * (dial errors, resets, timeouts) are retried: the recipient dedupes, so a
   * retry after a lost receipt cannot deliver twice. A recipient not reached
   * by the deadline has the message wait in the outbox until it is seen.
   */
  private async deliver (entry: OutboxEntry, started: number, signal?: AbortSignal, sealed?: InstantMessage): Promise<Omit<SendResult, 'ms'>> {
    const deadline = started + this.sendTimeout
    const stop = signal == null ? this.shutdown.signal : AbortSignal.any([signal, this.shutdown.signal])
    let lastError = ''
    let reachedPeer = false
    // ours: sealed here, not verified again
    const message = sealed ?? readOwnMessage(entry.envelope, this.maxBodySize)
    const route = new Route(this.components, entry.to, this.attemptTimeout, stop)
    // nobody knows it (no address, no record, not a contact): most likely a mistyped address, told
    // at once — unless a community mailbox takes it for the recipient to drain, were it real
    if (await route.learn() === 'unknown') {
      const stored = await this.leaveInMailbox(entry, route, stop)
      if (typeof stored === 'object') return stored
      return await this.finish(entry, unreachable(`nothing is known of ${entry.to.toString()}: it is not a contact, we have no address for it and the DHT holds no presence record of it; check the address`, stored))
    }
    /** Relayed addresses to dial on their own, once, after a dial of all addresses failed */
    let circuits: Multiaddr[] | undefined
    let mailboxTried = false
    // why the mailboxes did not take it: the outcome names it rather than a bare "unreachable"
    let mailboxRefusal: string | undefined
    for (let attempt = 0; Date.now() < deadline && !stop.aborted; attempt++) {
      try {
        const via = circuits?.length === 0 ? undefined : circuits
        circuits &&= []
        await this.attempt(entry, message, stop, deadline, via)
        return await this.finish(entry, { status: 'delivered' })
      } catch (err: any) {
        if (err instanceof FinalOutcome) return await this.finish(entry, { status: 'failed', reason: err.reason, detail: err.message })
        // connected but no receipt is a timeout; never connected is unreachable
        reachedPeer ||= this.components.connectionManager.getConnections(entry.to).length > 0
        lastError = err.message
        this.log('attempt %d to deliver %s to %p failed - %e', attempt + 1, entry.id, entry.to, err)
        // the addresses we had did not answer: an online recipient behind a relay (its record names
        // it) is reached there before any mailbox is tried
        if (!reachedPeer && circuits == null) {
          circuits = await route.circuits()
          if (circuits.length > 0) continue
        }
        // nowhere to dial (no address known anywhere), or it keeps not answering: try its mailboxes
        const nowhere = err.name === 'NoValidAddressesError'
        if (!reachedPeer && !mailboxTried && (nowhere || attempt + 1 >= ATTEMPTS_BEFORE_MAILBOX)) {
          mailboxTried = true
          const stored = await this.leaveInMailbox(entry, route, stop)
          if (typeof stored === 'object') return stored
          mailboxRefusal = stored
          // nobody knows where it is and no mailbox takes it: say so now rather than at the deadline
          if (nowhere) return await this.park(entry, unreachable(lastError, mailboxRefusal))
        }
      }
      const wait = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]
      await new Promise(resolve => setTimeout(resolve, Math.min(wait, Math.max(0, deadline - Date.now()))))
    }
    if (this.shutdown.signal.aborted) return { status: 'failed', reason: 'timed-out', detail: 'node stopped; delivery resumes at the next start', id: entry.id }
    if (stop.aborted) return await this.finish(entry, { status: 'failed', reason: 'timed-out', detail: 'the sender gave up waiting' })
    return await this.park(entry, reachedPeer ? { status: 'failed', reason: 'timed-out', detail: lastError } : unreachable(lastError, mailboxRefusal))
  }

  /**
   * Not reached in this send: the message waits in the outbox and goes out
   * when the recipient is next seen online — unless the outbox is full
   */
  private async park (entry: OutboxEntry, failure: { status: 'failed', reason: FailureReason, detail: string }): Promise<Omit<SendResult, 'ms'>> {
    const full = this.waiting.full(entry)
    if (full != null) return await this.finish(entry, { ...failure, detail: `${failure.detail}; not kept to send later: ${full}` })
    await this.store.wait(entry, { status: 'queued', reason: failure.reason, at: Date.now() })
    this.waiting.add(entry)
    this.safeDispatchEvent('receipt', { detail: { id: entry.id, to: entry.to, status: 'queued', reason: failure.reason } })
    return { status: 'queued', reason: failure.reason, detail: `${failure.detail}; it is sent when the recipient is next seen online`, id: entry.id }
  }

  private async attempt (entry: OutboxEntry, message: InstantMessage, stop: AbortSignal, deadline: number, via?: Multiaddr[]): Promise<void> {
    const { signal, clear } = clearableTimeout(Math.min(this.attemptTimeout, Math.max(1, deadline - Date.now())), stop)
    try {
      await this.attemptOn(entry, message, signal, via)
    } finally {
      clear()
    }
  }

  private async attemptOn (entry: OutboxEntry, message: InstantMessage, signal: AbortSignal, via?: Multiaddr[]): Promise<void> {
    // reuse an open connection (a direct one first): a new relay circuit for every message would be
    // rate-limited by the recipient, which limits repeated circuits from the same relay
    const open = this.components.connectionManager.getConnections(entry.to).filter(c => c.status === 'open')
    const connection = open.find(c => c.limits == null) ?? open[0] ?? await this.components.connectionManager.openConnection(via ?? entry.to, { signal })
    const outcome = await this.outbound.deliver(connection, entry.envelope, message, signal)
    switch (outcome.status) {
      case 'delivered': return
      case 'invalid-ack': throw new FinalOutcome('invalid', `Invalid acknowledgement: ${outcome.reason}`)
      case PBReceipt.Status.STATUS_REFUSED: throw new FinalOutcome('refused', outcome.reason)
      case PBReceipt.Status.STATUS_TOO_LARGE: throw new FinalOutcome('too-large', outcome.reason)
      // final for this send: retrying at once would only be refused again
      case PBReceipt.Status.STATUS_RATE_LIMITED: throw new FinalOutcome('rate-limited', outcome.reason)
      case PBReceipt.Status.STATUS_INBOX_FULL: throw new FinalOutcome('inbox-full', outcome.reason)
      // invalid, or a receipt without a status (UNSPECIFIED): nothing says the message was kept
      default: throw new FinalOutcome('invalid', outcome.reason === '' ? 'the recipient answered without a status' : outcome.reason)
    }
  }

  private async finish (entry: OutboxEntry, outcome: { status: 'delivered' | 'stored', detail?: string } | { status: 'failed', reason: FailureReason, detail: string }): Promise<Omit<SendResult, 'ms'>> {
    await this.store.settle(entry, outcome.status === 'failed' ? { status: 'failed', reason: outcome.reason, at: Date.now() } : { status: outcome.status, at: Date.now() })
    this.safeDispatchEvent('receipt', { detail: { id: entry.id, to: entry.to, status: outcome.status, reason: outcome.status === 'failed' ? outcome.reason : undefined } })
    return { ...outcome, id: entry.id }
  }

  /**
   * The third path: seal the message to the recipient and leave it with a
   * mailbox — one of the relays in its presence record, else a mailbox peer
   * we are connected to (community relays, which the recipient drains too).
   * Resolves with the result when one took it, else with why none did.
   */
  private async leaveInMailbox (entry: OutboxEntry, route: Route, signal: AbortSignal): Promise<Omit<SendResult, 'ms'> | string | undefined> {
    const candidates = [...await route.relays(), ...await this.components.mailbox.mailboxPeers()]
      .filter((peer, i, all) => !peer.equals(entry.to) && all.findIndex(p => p.equals(peer)) === i)
    let box: Uint8Array
    try {
      box = sealBox(entry.to, Mail.encode({ message: new Uint8Array(entry.envelope) }))
    } catch (err: any) {
      this.log('cannot seal %s to %p - %e', entry.id, entry.to, err)
      return undefined
    }
    const refusals: string[] = []
    for (const mailbox of candidates) {
      const result = await this.tokens.deposit(this.components.mailbox, mailbox, entry.to, box, { signal })
      if (result.status === 'stored') return this.finish(entry, { status: 'stored', detail: `held by mailbox ${mailbox.toString()}` })
      this.log('mailbox %p did not take %s: %s', mailbox, entry.id, result.reason)
      if (result.status !== 'unreachable') refusals.push(`mailbox ${mailbox.toString()} refused: ${result.reason}`)
    }
    return refusals.length > 0 ? refusals.join('; ') : undefined
  }

  /** Mail drained from a mailbox: a message for us, or the ack of one we left in a mailbox */
  private async onMail (box: Uint8Array, mailbox: PeerId): Promise<void> {
    const mail = Mail.decode(openBox(this.components.privateKey, this.components.peerId, box))
    if (mail.message != null) {
      // mail waited in the mailbox: the mailbox's quotas paced it, so only the storage limits apply
      const taken = await this.reception.take(mail.message, mailbox, false)
      if (taken.status !== PBReceipt.Status.STATUS_DELIVERED) {
        this.log('a message drained from %p was not taken: %s', mailbox, taken.reason)
        return
      }
      // the sender learns of the delivery the same way: an ack sealed to it, in the mailbox we drained
      this.ackReturns.add(mailbox, taken.message.from, { id: taken.message.id, digest: messageDigest(taken.envelope) }, taken.contact)
    } else if (mail.batchAck != null) {
      await this.onMailedBatchAck(mail.batchAck, mail.depositToken)
    }
  }

  /** The recipient's acknowledgement of several of our messages it drained together */
  private async onMailedBatchAck (ack: Uint8Array, depositToken?: Uint8Array): Promise<void> {
    const recipient = peerIdFromPublicKey(RecordEnvelope.createFromProtobuf(ack).publicKey)
    const { entries, receivedAt } = await openBatchAck(ack, recipient, this.components.peerId)
    for (const [id, digest] of entries) {
      const sent = await this.store.sentEnvelope(recipient, id)
      if (sent == null || !equals(digest, messageDigest(sent))) continue
      await this.store.markDelivered(recipient, id, receivedAt)
      this.safeDispatchEvent('receipt', { detail: { id, to: recipient, status: 'delivered' } })
    }
    await this.tokens.remember(recipient, depositToken)
  }
}
