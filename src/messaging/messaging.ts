/**
 * The messaging service: its lifecycle, counters and public API. Messages
 * are received under the inbox policy (reception.ts, inbound.ts); ours are
 * delivered by delivery.ts with retries until a signed receipt or a final
 * failure.
 */
import { TypedEventEmitter } from 'main-event'
import { fromString } from 'uint8arrays/from-string'
import { messageDigest, signBatchAck } from './ack.js'
import { AckReturns } from './ack-returns.js'
import { DepositTokens } from './deposit-tokens.js'
import { DELIVERY_SECONDS_BUCKETS, IM_CAPABILITY, DEFAULT_MAX_BODY_SIZE, DEFAULT_PARTS_BUDGET, ENVELOPE_OVERHEAD, IM_PROTOCOL, IM_STREAMS_PER_CONNECTION, MAX_MAX_BODY_SIZE, MIN_MAX_BODY_SIZE } from './constants.js'
import { Delivery } from './delivery.js'
import { MessageTooLargeError } from './errors.js'
import { Inbound } from './inbound.js'
import { newMessageId, sealMessage, validateMessage, type InstantMessage } from './message.js'
import { Mail, Receipt as PBReceipt } from './pb/message.js'
import { EnvelopeSigner } from '../utils/signed-envelopes.js'
import { open as openBox, seal as sealBox } from '../mailbox/sealed-box.js'
import { ByteBudget } from '../utils/byte-budget.js'
import { MAILBOX_CAPABILITY } from '../mailbox/constants.js'
import { PRESENCE_CAPABILITY } from '../presence/constants.js'
import { Admission } from './admission.js'
import { isContact, InboxPolicyStore, type InboxPolicy, type InboxPolicyChange } from './inbox-policy.js'
import { Reception } from './reception.js'
import { MessageStore, type OutboxEntry, type SentMessage, type StoredMessage } from './store.js'
import type { InstantMessaging, InstantMessagingInit, MessagingComponents, MessagingEvents, OutgoingMessage, SendResult } from './index.js'
import { InvalidParametersError, serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import type { NotifyEvent } from '../presence/index.js'
import type { AbortOptions, Histogram, Logger, PeerId, Startable } from '@libp2p/interface'

const DEFAULT_SEND_TIMEOUT = 20_000
const DEFAULT_ATTEMPT_TIMEOUT = 5_000
/** How often waiting messages are checked for having grown too old to be accepted */
const WAITING_SWEEP_MS = 60 * 60_000

export class MessagingService extends TypedEventEmitter<MessagingEvents> implements InstantMessaging, Startable {
  private readonly components: MessagingComponents
  readonly maxBodySize: number
  private readonly log: Logger
  private readonly store: MessageStore
  /** Seconds from send() to the verified receipt of a message delivered at once, when the node has metrics */
  private deliverySeconds?: Histogram
  private readonly policyStore: InboxPolicyStore
  private readonly admission: Admission
  private readonly reception: Reception
  private readonly tokens: DepositTokens
  /** Our key as a node KeyObject, made once: messages and acks are signed with it */
  private readonly signer: EnvelopeSigner
  private readonly delivery: Delivery
  private readonly inbound: Inbound
  private readonly ackReturns: AckReturns
  private sweeper?: ReturnType<typeof setInterval>
  private readonly parts: ByteBudget

  constructor (components: MessagingComponents, init: InstantMessagingInit = {}) {
    super()
    this.components = components
    this.maxBodySize = init.maxBodySize ?? DEFAULT_MAX_BODY_SIZE
    if (!Number.isInteger(this.maxBodySize) || this.maxBodySize < MIN_MAX_BODY_SIZE || this.maxBodySize > MAX_MAX_BODY_SIZE) {
      throw new InvalidParametersError(`maxBodySize must be a whole number of bytes from ${MIN_MAX_BODY_SIZE} to ${MAX_MAX_BODY_SIZE}`)
    }
    const attemptTimeout = init.attemptTimeout ?? DEFAULT_ATTEMPT_TIMEOUT
    this.log = components.logger.forComponent('presence-mesh:im')
    this.registerMetrics()
    this.store = new MessageStore(components.datastore, this.maxBodySize, this.log.newScope('store'))
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
    this.delivery = new Delivery({
      components,
      log: this.log,
      store: this.store,
      tokens: this.tokens,
      maxBodySize: this.maxBodySize,
      sendTimeout: init.sendTimeout ?? DEFAULT_SEND_TIMEOUT,
      attemptTimeout,
      onReceipt: receipt => this.safeDispatchEvent('receipt', { detail: receipt })
    })
    const parts = { ...DEFAULT_PARTS_BUDGET, ...Object.fromEntries(Object.entries(init.parts ?? {}).filter(([, v]) => v !== undefined)) }
    // a message of the largest body must fit the per-peer share, or it could only ever be answered BUSY
    if (parts.partsPeerBytes < this.maxBodySize + ENVELOPE_OVERHEAD || parts.partsTotalBytes < parts.partsPeerBytes) {
      throw new InvalidParametersError(`partsPeerBytes must be at least maxBodySize + ${ENVELOPE_OVERHEAD} (${this.maxBodySize + ENVELOPE_OVERHEAD}), and partsTotalBytes at least partsPeerBytes`)
    }
    this.parts = new ByteBudget({ total: parts.partsTotalBytes, perPeer: parts.partsPeerBytes, strangers: parts.partsStrangersBytes, what: 'messages in parts' })
    this.inbound = new Inbound({
      log: this.log,
      maxBodySize: this.maxBodySize,
      budget: this.parts,
      partsTimeoutMs: parts.partsTimeoutMs,
      // a contact or an allowed sender draws on the whole budget, anyone else on the strangers' share
      isContact: peer => this.policyStore.decide(peer, p => isContact(components, p)) === 'contact',
      writeTimeout: attemptTimeout,
      take: async (envelope, via, storing) => this.reception.take(envelope, via, true, storing),
      acknowledge: async (sender, entries) => signBatchAck(this.signer, sender, entries, Date.now()),
      depositToken: async (sender) => this.tokens.issue(sender)
    })
  }

  /** Our metrics in the node's, when it has them: each message's outcome, messages received, and how long delivery took */
  private registerMetrics (): void {
    const metrics = this.components.metrics
    if (metrics == null) return
    const outcomes = metrics.registerCounterGroup('presence_mesh_im_outcomes_total', { label: 'outcome', help: 'Outcomes of the messages this node sent: delivered, stored (by a mailbox), queued (waiting to be seen online) or failed' })
    const received = metrics.registerCounter('presence_mesh_im_received_total', { help: 'New messages this node received (duplicates not counted)' })
    // from a millisecond on one connection to the tens of seconds of a circuit dialled through a relay
    this.deliverySeconds = metrics.registerHistogram('presence_mesh_im_delivery_seconds', { help: 'Time from send to the recipient\'s verified receipt, for messages delivered while sending (directly or through a relay)', buckets: DELIVERY_SECONDS_BUCKETS })
    this.addEventListener('receipt', event => { outcomes.increment({ [event.detail.status]: true }) })
    this.addEventListener('message', () => { received.increment() })
  }

  readonly [Symbol.toStringTag] = '@presence-mesh/im'
  readonly [serviceCapabilities] = [IM_CAPABILITY]
  // a recipient's addresses come from its presence record; offline recipients get a mailbox
  readonly [serviceDependencies] = [PRESENCE_CAPABILITY, MAILBOX_CAPABILITY]

  async start (): Promise<void> {
    this.delivery.start()
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
    if (this.delivery.waiting.has(event.detail)) this.delivery.waiting.seen(event.detail)
  }

  /** … or its presence says it is open (its record names where to reach it) */
  private readonly onNotify = (event: CustomEvent<NotifyEvent>): void => {
    const { target, record } = event.detail
    if (record?.basic === 'open' && this.delivery.waiting.has(target)) this.delivery.waiting.seen(target)
  }

  /** Resume what was still being delivered when the node last stopped */
  async afterStart (): Promise<void> {
    await this.store.prune().catch(err => this.log.error('pruning seen messages failed - %e', err))
    for (const entry of await this.store.outbox()) {
      // waiting for its recipient: sent when it is seen, not tried now
      if (entry.waiting === true && this.delivery.waiting.add(entry)) continue
      this.delivery.deliver(entry, Date.now()).catch(err => this.log.error('resuming %s failed - %e', entry.id, err))
    }
    // a recipient never seen again: its messages leave the outbox once too old to be accepted
    this.delivery.waiting.sweep()
    this.sweeper = setInterval(() => { this.delivery.waiting.sweep() }, WAITING_SWEEP_MS)
    this.sweeper.unref?.()
  }

  async stop (): Promise<void> {
    this.delivery.stop()
    // outcomes already told are written before the datastore closes
    await this.store.flushed()
    clearInterval(this.sweeper)
    this.components.events.removeEventListener('peer:connect', this.onConnect)
    this.components.presence.removeEventListener('notify', this.onNotify)
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
    const result = await this.delivery.deliver(entry, started, options.signal, message)
    const failed = await queued
    if (failed != null) throw failed
    const ms = Date.now() - started
    if (result.status === 'delivered') this.deliverySeconds?.observe(ms / 1000)
    return { ...result, ms }
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

  partsInProgress (): { bytes: number, strangersBytes: number, peers: number } {
    return this.parts.usage()
  }

  async deleteMessages (messages: Array<{ from: PeerId, id: string }>): Promise<number> {
    return this.admission.delete(messages)
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
      await this.delivery.onMailedBatchAck(mail.batchAck, mail.depositToken)
    }
  }
}
