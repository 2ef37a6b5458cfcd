/**
 * Both sides of a personal invitation. The inviter issues it (remembering
 * its secret) and answers the invitee's Redeem: a secret it issued, not
 * expired, not used by someone else, makes the invitee a contact whose
 * request to watch is approved. The invitee hands the secret over through
 * the addresses the invitation carries — relay circuits included, so a
 * firewalled inviter is reached.
 */
import { randomBytes } from '@libp2p/crypto'
import { pbStream } from '@libp2p/utils'
import { toString } from 'uint8arrays'
import { EXPIRED_INVITE_KEPT_MS, INVITE_PROTOCOL, REDEEM_FRAME_LIMIT, REDEEM_RESPONSE_FRAME_LIMIT, REDEEM_TIMEOUT_MS, MAX_OPEN_INVITES } from './constants.js'
import { InviteRefusedError } from './errors.js'
import { encodeInvite, SECRET_BYTES, MAX_INVITE_NAME, type Invite } from './invite.js'
import { Redeem, RedeemResponse } from './pb/invite.js'
import { timeoutSignal, withStream } from '../utils/streams.js'
import type { ContactStore, IssuedInvite } from './store.js'
import type { Connection, Logger, PeerId, PrivateKey, Stream } from '@libp2p/interface'
import type { AddressManager, ConnectionManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface InvitationsComponents {
  privateKey: PrivateKey
  connectionManager: ConnectionManager
  addressManager: AddressManager
}

/** What the service does with an accepted invitation: make the invitee a contact */
export type OnRedeemed = (invitee: PeerId, name: string) => Promise<void>

export class Invitations {
  private readonly components: InvitationsComponents
  private readonly store: ContactStore
  private readonly log: Logger
  private readonly issued = new Map<string, IssuedInvite>()

  constructor (components: InvitationsComponents, store: ContactStore, log: Logger) {
    this.components = components
    this.store = store
    this.log = log
  }

  async load (): Promise<void> {
    const now = Date.now()
    for (const invite of await this.store.loadInvites()) {
      if (invite.expires !== 0 && invite.expires + EXPIRED_INVITE_KEPT_MS < now) await this.store.deleteInvite(invite.secret)
      else this.issued.set(invite.secret, invite)
    }
  }

  /** A new invitation: personal ones are single-use and expire; a community one names our relay */
  async issue (kind: Invite['kind'], name: string, expires: number): Promise<string> {
    const secret = randomBytes(SECRET_BYTES)
    if (kind === 'personal') {
      if ([...this.issued.values()].filter(i => i.usedBy == null).length >= MAX_OPEN_INVITES) {
        throw new InviteRefusedError(`${MAX_OPEN_INVITES} invitations are waiting to be used; no more until some are used or expire`)
      }
      const entry: IssuedInvite = { secret: toString(secret, 'base64'), name, createdAt: Date.now(), expires }
      await this.store.saveInvite(entry)
      this.issued.set(entry.secret, entry)
    }
    return encodeInvite(this.components.privateKey, { kind, addrs: this.reachableAt(kind), name, expires, secret })
  }

  /**
   * The addresses an invitation carries: relay circuits first (they reach us
   * behind a NAT), then others, public before loopback. A community
   * invitation names the relay itself, which is dialled directly.
   */
  private reachableAt (kind: Invite['kind']): Multiaddr[] {
    const all = this.components.addressManager.getAddresses()
    const circuit = all.filter(ma => ma.toString().includes('/p2p-circuit'))
    const direct = all.filter(ma => !ma.toString().includes('/p2p-circuit'))
    const loopback = (ma: Multiaddr): boolean => /^\/ip[46]\/(127\.|::1\/)/.test(ma.toString())
    // a few of each kind keep the invitation short: two relays, three interfaces, one loopback
    const ordered = [...direct.filter(ma => !loopback(ma)).slice(0, 3), ...direct.filter(loopback).slice(0, 1)]
    return kind === 'community' ? ordered : [...circuit.slice(0, 2), ...ordered]
  }

  /** The inviter's side of the Redeem protocol */
  async handle (stream: Stream, connection: Connection, onRedeemed: OnRedeemed): Promise<void> {
    const signal = AbortSignal.timeout(REDEEM_TIMEOUT_MS)
    await withStream(stream, signal, async () => {
      const pb = pbStream(stream, { maxDataLength: REDEEM_FRAME_LIMIT, maxBufferSize: REDEEM_FRAME_LIMIT + 8 })
      const request = await pb.read(Redeem, { signal })
      const refusal = await this.accept(connection.remotePeer, request)
      if (refusal == null) {
        await onRedeemed(connection.remotePeer, request.name.trim().slice(0, MAX_INVITE_NAME))
        await pb.write({ status: RedeemResponse.Status.STATUS_OK, reason: '' }, RedeemResponse, { signal })
      } else {
        this.log('refused an invitation from %p: %s', connection.remotePeer, refusal)
        await pb.write({ status: RedeemResponse.Status.STATUS_REFUSED, reason: refusal }, RedeemResponse, { signal })
      }
    })
  }

  /** Why the invitation is refused, or undefined once it is marked used by `invitee` */
  private async accept (invitee: PeerId, request: Redeem): Promise<string | undefined> {
    const entry = this.issued.get(toString(request.secret, 'base64'))
    if (entry == null) return 'this node did not issue that invitation, or withdrew it'
    if (entry.expires !== 0 && entry.expires <= Date.now()) return `the invitation expired on ${new Date(entry.expires).toISOString()}; ask for a new one`
    // the invitee trying again (a lost answer) is no second use
    if (entry.usedBy != null && entry.usedBy !== invitee.toString()) return `the invitation was already used (on ${new Date(entry.usedAt ?? 0).toISOString()}); each invitation adds one person, ask for a new one`
    if (entry.usedBy == null) {
      entry.usedBy = invitee.toString()
      entry.usedAt = Date.now()
      await this.store.saveInvite(entry)
    }
    return undefined
  }

  /**
   * The invitee's side: hand the invitation over. Throws InviteRefusedError
   * if the inviter refuses it, anything else if it cannot be reached.
   */
  async redeem (invite: Invite, myName: string, signal?: AbortSignal): Promise<void> {
    const options = { signal: timeoutSignal(REDEEM_TIMEOUT_MS, signal) }
    let connection: Connection
    try {
      connection = await this.components.connectionManager.openConnection(invite.addrs, options)
    } catch (err) {
      // the addresses may be stale: whatever the peer store (or a connection we hold) knows
      this.log('the invitation\'s addresses of %p failed, trying its peer id - %e', invite.inviter, err)
      connection = await this.components.connectionManager.openConnection(invite.inviter, options)
    }
    if (!connection.remotePeer.equals(invite.inviter)) throw new InviteRefusedError('the invitation\'s addresses lead to another peer')
    const stream = await connection.newStream(INVITE_PROTOCOL, { ...options, runOnLimitedConnection: true })
    const response = await withStream(stream, options.signal, async () => {
      const pb = pbStream(stream, { maxDataLength: REDEEM_RESPONSE_FRAME_LIMIT })
      await pb.write({ secret: new Uint8Array(invite.secret), name: myName }, Redeem, options)
      return pb.read(RedeemResponse, options)
    })
    if (response.status === RedeemResponse.Status.STATUS_UNSPECIFIED) throw new InviteRefusedError('the inviter answered without saying whether it accepts')
    if (response.status !== RedeemResponse.Status.STATUS_OK) throw new InviteRefusedError(response.reason.slice(0, 300) || 'the inviter refused the invitation')
  }
}
