/**
 * Deposit tokens, both ways. As a recipient we sign one for each contact
 * whose message we accept (it rides on the receipt); as a sender we keep
 * the newest unexpired token each recipient gave us and show it when we
 * leave mail in a mailbox, so our mail goes into the part of the
 * recipient's box that strangers cannot fill (src/mailbox/deposit-token.ts).
 */
import { Key, type Datastore } from 'interface-datastore'
import { equals } from 'uint8arrays/equals'
import { DEPOSIT_TOKEN_TTL_MS } from '../mailbox/constants.js'
import { signDepositToken, verifyDepositToken } from '../mailbox/deposit-token.js'
import type { DepositOptions, DepositResult, Mailbox } from '../mailbox/index.js'
import type { Logger, PeerId, PrivateKey } from '@libp2p/interface'

const PREFIX = '/presence-mesh/im/deposit-tokens'
/**
 * A token handed out is handed out again for this long, rather than signed
 * afresh for every batch of receipts: it still has 30 days less an hour to run
 */
const REISSUE_AFTER_MS = 60 * 60_000
/** Contacts whose current token (ours for them, theirs for us) is kept in memory */
const MAX_CACHED = 1024

export class DepositTokens {
  private readonly datastore: Datastore
  private readonly privateKey: PrivateKey
  private readonly self: PeerId
  private readonly log: Logger
  /** The token last issued to each contact, and when */
  private readonly issued = new Map<string, { token: Uint8Array<ArrayBuffer>, at: number }>()
  /** The token last kept from each recipient: the same one again needs no checking */
  private readonly kept = new Map<string, Uint8Array>()

  constructor (components: { datastore: Datastore, privateKey: PrivateKey, peerId: PeerId }, log: Logger) {
    this.datastore = components.datastore
    this.privateKey = components.privateKey
    this.self = components.peerId
    this.log = log
  }

  /** A fresh token for `sender`, a contact (the inbox policy decides who is one) */
  async issue (sender: PeerId): Promise<Uint8Array<ArrayBuffer>> {
    const key = sender.toString()
    const now = Date.now()
    const recent = this.issued.get(key)
    if (recent != null && now - recent.at < REISSUE_AFTER_MS) return recent.token
    const token = new Uint8Array(await signDepositToken(this.privateKey, sender, now + DEPOSIT_TOKEN_TTL_MS))
    remember(this.issued, key, { token, at: now })
    return token
  }

  /** Keep a token `recipient` gave us, if it is valid and outlasts the one held. Never throws: a bad token is only logged */
  async remember (recipient: PeerId, token: Uint8Array | undefined): Promise<void> {
    if (token == null) return
    const key = recipient.toString()
    const last = this.kept.get(key)
    if (last != null && equals(last, token)) return
    try {
      const expiresAt = await verifyDepositToken(token, recipient, this.self)
      remember(this.kept, key, token)
      const held = await this.get(recipient)
      if (held != null && held.expiresAt >= expiresAt) return
      await this.datastore.put(this.key(recipient), token)
    } catch (err) {
      this.log('ignoring a deposit token from %p - %e', recipient, err)
    }
  }

  /**
   * Leave `box` for `recipient` at `mailbox`, with our token for it if we hold
   * one. A token the mailbox refuses (expired by its clock, say) is
   * forgotten and the box offered again without it.
   */
  async deposit (service: Mailbox, mailbox: PeerId, recipient: PeerId, box: Uint8Array, options: DepositOptions = {}): Promise<DepositResult> {
    const held = await this.get(recipient)
    const result = await service.deposit(mailbox, recipient, box, { ...options, token: held?.token })
    if (held == null || result.status !== 'token-invalid') return result
    this.log('mailbox %p refused our token for %p: %s', mailbox, recipient, result.reason)
    await this.forget(recipient)
    return service.deposit(mailbox, recipient, box, { ...options, token: undefined })
  }

  private async get (recipient: PeerId): Promise<{ token: Uint8Array, expiresAt: number } | undefined> {
    if (!(await this.datastore.has(this.key(recipient)))) return undefined
    const token = await this.datastore.get(this.key(recipient))
    try {
      return { token, expiresAt: await verifyDepositToken(token, recipient, this.self) }
    } catch {
      // expired: nothing to show any more
      await this.forget(recipient)
      return undefined
    }
  }

  private async forget (recipient: PeerId): Promise<void> {
    this.kept.delete(recipient.toString())
    await this.datastore.delete(this.key(recipient))
  }

  private key (recipient: PeerId): Key {
    return new Key(`${PREFIX}/${recipient.toString()}`)
  }
}

/** Set `key` in a map of at most MAX_CACHED entries, forgetting the oldest first */
function remember<T> (map: Map<string, T>, key: string, value: T): void {
  map.delete(key)
  map.set(key, value)
  if (map.size > MAX_CACHED) map.delete(map.keys().next().value as string)
}
