/**
 * Contacts: people by name, whose presence the node keeps watching, who may
 * write to us under the `contacts` inbox policy, and the invitations that
 * make two people each other's contacts in one step.
 *
 * @example
 * ```ts
 * const { invite } = await alice.libp2p.services.contacts.invite({ name: 'Alice' })
 * await bob.libp2p.services.contacts.add({ invite })   // each is now in the other's list
 * ```
 */
import { ContactsService } from './contacts.js'
import type { ContactEntry } from './store.js'
import type { Presence } from '../presence/index.js'
import type { ComponentLogger, Libp2pEvents, PeerId, PeerStore, PrivateKey, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { Datastore } from 'interface-datastore'

export type { ContactEntry }
export { decodeInvite, type Invite } from './invite.js'
export { INVITE_PROTOCOL } from './constants.js'

export interface ContactsInit {
  /** Seconds each contact's subscription asks for; it is made again when it ends. Default: 20 days */
  subscriptionDuration?: number
}

export interface ContactsComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  addressManager: AddressManager
  peerStore: PeerStore
  datastore: Datastore
  logger: ComponentLogger
  events: TypedEventTarget<Libp2pEvents>
  presence: Presence
}

export interface InviteOptions {
  /** The name we go by; remembered for later invitations ('' forgets it) */
  name?: string
  /** A personal invitation's lifetime. Default: 7 days */
  expiresInMs?: number
  /** A community invitation (a relay's): never expires, adds no contact */
  community?: boolean
}

export interface AddContactResult {
  contact: ContactEntry
  /** With an invitation: handed over (`accepted`), or to be when the inviter is seen (`pending`) */
  invitation: 'accepted' | 'pending' | null
}

export interface ContactsEvents {
  change: CustomEvent<{ contact: ContactEntry, change: 'added' | 'updated' | 'removed' }>
}

export interface Contacts extends TypedEventTarget<ContactsEvents> {
  list(): ContactEntry[]
  has(peer: PeerId): boolean
  /** By name (any case), peer id or `pres:`/`im:` URI */
  get(nameOrAddress: string): ContactEntry | undefined
  /** The name we go by in our invitations */
  readonly name: string
  /** Add by address or invitation; an invitation is handed to the inviter, which adds us back under `me` (remembered) */
  add(input: { target?: PeerId, invite?: string, name?: string, me?: string }, options?: { signal?: AbortSignal }): Promise<AddContactResult>
  rename(nameOrAddress: string, newName: string): Promise<ContactEntry>
  remove(nameOrAddress: string): Promise<ContactEntry>
  /** Messages received so far count as read (one contact's, or all) */
  markRead(nameOrAddress?: string): Promise<number>
  invite(options?: InviteOptions): Promise<{ invite: string, expires: number | null }>
}

export function contacts (init: ContactsInit = {}): (components: ContactsComponents) => Contacts {
  return (components) => new ContactsService(components, init)
}
