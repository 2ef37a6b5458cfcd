/**
 * Delivery of our messages: tried on an open connection (or a dial) until a
 * signed receipt, a final refusal or the deadline; left with a mailbox when
 * the recipient is not reached; parked in the outbox until it is seen again.
 * Acks of messages we left in mailboxes come back here too.
 */
import { equals } from 'uint8arrays/equals'
import { messageDigest, openBatchAck } from './ack.js'
import { readOwnMessage, type InstantMessage } from './message.js'
import { Outbound } from './outbound.js'
import { Mail, Receipt as PBReceipt } from './pb/message.js'
import { Route } from './routes.js'
import { Waiting } from './waiting.js'
import { RecipientBusyError } from './errors.js'
import { seal as sealBox } from '../mailbox/sealed-box.js'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import { clearableTimeout } from '../utils/streams.js'
import type { DepositTokens } from './deposit-tokens.js'
import type { FailureReason, MessagingComponents, Receipt, SendResult } from './index.js'
import type { MessageStore, OutboxEntry } from './store.js'
import type { Logger } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Waits between attempts; the last one repeats until the deadline */
const BACKOFF_MS = [250, 500, 1_000, 2_000]
/** Dials that never reached the recipient before a mailbox is tried instead */
const ATTEMPTS_BEFORE_MAILBOX = 3

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

export interface DeliveryInit {
  components: MessagingComponents
  log: Logger
  store: MessageStore
  tokens: DepositTokens
  maxBodySize: number
  /** How long a send tries before its message waits for the recipient */
  sendTimeout: number
  /** How long one attempt (a dial and a receipt) may take */
  attemptTimeout: number
  /** A message we sent was delivered, stored, queued or failed */
  onReceipt(receipt: Receipt): void
}

export class Delivery {
  private readonly components: MessagingComponents
  private readonly log: Logger
  private readonly store: MessageStore
  private readonly tokens: DepositTokens
  private readonly maxBodySize: number
  private readonly sendTimeout: number
  private readonly attemptTimeout: number
  private readonly onReceipt: (receipt: Receipt) => void
  private readonly outbound: Outbound
  /** Messages whose recipient was unreachable, until it is seen online */
  readonly waiting: Waiting
  private shutdown = new AbortController()

  constructor (init: DeliveryInit) {
    this.components = init.components
    this.log = init.log
    this.store = init.store
    this.tokens = init.tokens
    this.maxBodySize = init.maxBodySize
    this.sendTimeout = init.sendTimeout
    this.attemptTimeout = init.attemptTimeout
    this.onReceipt = init.onReceipt
    this.outbound = new Outbound({
      self: init.components.peerId,
      log: this.log,
      openTimeout: this.attemptTimeout,
      onDepositToken: (recipient, token) => { void this.tokens.remember(recipient, token) }
    })
    this.waiting = new Waiting({
      retry: entry => { this.deliver(entry, Date.now()).catch(err => this.log.error('sending %s again failed - %e', entry.id, err)) },
      expire: entry => {
        this.finish(entry, { status: 'failed', reason: 'timed-out', detail: 'the recipient was not seen online before the message grew too old to be accepted' })
          .catch(err => this.log.error('expiring %s failed - %e', entry.id, err))
      }
    })
  }

  start (): void {
    this.shutdown = new AbortController()
  }

  /** Deliveries in progress end (their messages stay in the outbox for the next start) */
  stop (): void {
    this.shutdown.abort()
    this.outbound.stop()
  }

  /**
   * Try until a receipt, a final refusal, or the deadline. Transient failures
   * (dial errors, resets, timeouts) are retried: the recipient dedupes, so a
   * retry after a lost receipt cannot deliver twice. A recipient not reached
   * by the deadline has the message wait in the outbox until it is seen.
   */
  async deliver (entry: OutboxEntry, started: number, signal?: AbortSignal, sealed?: InstantMessage): Promise<Omit<SendResult, 'ms'>> {
    const deadline = started + this.sendTimeout
    const stop = signal == null ? this.shutdown.signal : AbortSignal.any([signal, this.shutdown.signal])
    let lastError = ''
    let reachedPeer = false
    // ours: sealed here, not verified again
    const message = sealed ?? readOwnMessage(entry.envelope, this.maxBodySize)
    const route = new Route(this.components, entry.to, this.attemptTimeout, stop)
    // nowhere to dial a stranger: told at once (no record at all is most likely a mistyped address) —
    // unless a community mailbox takes the message for the recipient to drain
    const knowledge = await route.learn()
    if (knowledge === 'unknown' || knowledge === 'addressless') {
      const stored = await this.leaveInMailbox(entry, route, stop)
      if (typeof stored === 'object') return stored
      const why = knowledge === 'unknown'
        ? 'the DHT holds no presence record of it; check the address'
        : 'its presence record names none (it is offline, or behind a relay it has not reserved yet); send again later'
      return await this.finish(entry, unreachable(`nothing is known of ${entry.to.toString()}: it is not a contact, we have no address for it and ${why}`, stored))
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
    this.onReceipt({ id: entry.id, to: entry.to, status: 'queued', reason: failure.reason })
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
      // no room at the recipient just now for a message in parts: tried again after the backoff
      case PBReceipt.Status.STATUS_BUSY: throw new RecipientBusyError(outcome.reason)
      // invalid, or a receipt without a status (UNSPECIFIED): nothing says the message was kept
      default: throw new FinalOutcome('invalid', outcome.reason === '' ? 'the recipient answered without a status' : outcome.reason)
    }
  }

  /**
   * The outcome is final: the sender is told at once, while the history
   * write commits. Nothing is lost if it never does (a crash): the message
   * is still in the outbox, sent again at the next start, and the
   * recipient, which dedupes, acknowledges it again
   */
  private async finish (entry: OutboxEntry, outcome: { status: 'delivered' | 'stored', detail?: string } | { status: 'failed', reason: FailureReason, detail: string }): Promise<Omit<SendResult, 'ms'>> {
    this.store.settle(entry, outcome.status === 'failed' ? { status: 'failed', reason: outcome.reason, at: Date.now() } : { status: outcome.status, at: Date.now() })
      .catch(err => { this.log.error('could not move %s from the outbox to the history - %e', entry.id, err) })
    this.onReceipt({ id: entry.id, to: entry.to, status: outcome.status, reason: outcome.status === 'failed' ? outcome.reason : undefined })
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

  /** The recipient's acknowledgement of several of our messages it drained together */
  async onMailedBatchAck (ack: Uint8Array, depositToken?: Uint8Array): Promise<void> {
    const recipient = peerIdFromPublicKey(RecordEnvelope.createFromProtobuf(ack).publicKey)
    const { entries, receivedAt } = await openBatchAck(ack, recipient, this.components.peerId)
    for (const [id, digest] of entries) {
      const sent = await this.store.sentEnvelope(recipient, id)
      if (sent == null || !equals(digest, messageDigest(sent))) continue
      await this.store.markDelivered(recipient, id, receivedAt)
      this.onReceipt({ id, to: recipient, status: 'delivered' })
    }
    await this.tokens.remember(recipient, depositToken)
  }
}
