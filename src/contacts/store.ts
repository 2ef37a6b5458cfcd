/**
 * Where contacts and the invitations we issued live in the datastore: one
 * protons message each (pb/stored.proto), checked field by field on load.
 * One that does not validate is logged and set aside (stored-values.ts),
 * never a crash, and the others load. Older versions wrote JSON, read by the
 * same checks (parseContact, parseInvite) and rewritten on first load.
 */
import { Key, type Datastore } from 'interface-datastore'
import { StoredContact, StoredInvite, StoredProfile } from './pb/stored.js'
import { readAll, readOne, storedForm, type StoredForm } from '../utils/stored-values.js'
import type { Logger } from '@libp2p/interface'

const CONTACTS = '/presence-mesh/contacts/list'
const INVITES = '/presence-mesh/contacts/invites'
const PROFILE = new Key('/presence-mesh/contacts/profile')

/** What we last knew of a contact's presence, kept so the list shows it at once after a restart */
export interface KnownPresence {
  basic: 'open' | 'closed'
  availability: string
  note: string | null
  /** When the contact issued the record (ms) */
  updated: number
}

export interface ContactEntry {
  /** The contact's peer id */
  id: string
  name: string
  addedAt: number
  /** Messages received after this (ms) are unread */
  readUntil: number
  presence?: KnownPresence
  /** Last time the contact was online: now while it is, the time it was lost after a crash (ms) */
  lastSeen?: number
  /** An invitation of the contact's we accepted and could not hand over yet (it was unreachable) */
  pendingInvite?: string
  /** The contact refused to let us see its presence */
  refused?: boolean
}

export interface IssuedInvite {
  /** base64 of the secret: the key */
  secret: string
  name: string
  createdAt: number
  /** ms; 0: never */
  expires: number
  /** The peer id that redeemed it */
  usedBy?: string
  usedAt?: number
}

export const CONTACT_FORM = storedForm<StoredContact, ContactEntry>({
  codec: StoredContact,
  check: m => parseContact({
    ...m,
    presence: m.presence == null ? undefined : { ...m.presence, basic: m.presence.open ? 'open' : 'closed', note: m.presence.note ?? null, open: undefined },
    refused: m.refused ? true : undefined
  }),
  toMessage: entry => ({
    ...entry,
    presence: entry.presence == null ? undefined : { ...entry.presence, open: entry.presence.basic === 'open', note: entry.presence.note ?? undefined },
    refused: entry.refused === true
  }),
  fromJson: parseContact
})

export const INVITE_FORM = storedForm<StoredInvite, IssuedInvite>({
  codec: StoredInvite,
  check: parseInvite,
  toMessage: invite => invite,
  fromJson: parseInvite
})

export const PROFILE_FORM = storedForm<StoredProfile, string>({
  codec: StoredProfile,
  check: m => m.name,
  toMessage: name => ({ name }),
  fromJson: (json: any) => field(object(json), 'name', 'string')
})

export class ContactStore {
  private readonly datastore: Datastore
  private readonly log: Logger

  constructor (datastore: Datastore, log: Logger) {
    this.datastore = datastore
    this.log = log
  }

  async loadContacts (): Promise<ContactEntry[]> {
    return this.loadAll(CONTACTS, CONTACT_FORM)
  }

  async saveContact (entry: ContactEntry): Promise<void> {
    await this.datastore.put(new Key(`${CONTACTS}/${entry.id}`), CONTACT_FORM.encode(entry))
  }

  async deleteContact (id: string): Promise<void> {
    await this.datastore.delete(new Key(`${CONTACTS}/${id}`))
  }

  async loadInvites (): Promise<IssuedInvite[]> {
    return this.loadAll(INVITES, INVITE_FORM)
  }

  async saveInvite (invite: IssuedInvite): Promise<void> {
    await this.datastore.put(new Key(`${INVITES}/${encodeURIComponent(invite.secret)}`), INVITE_FORM.encode(invite))
  }

  async deleteInvite (secret: string): Promise<void> {
    await this.datastore.delete(new Key(`${INVITES}/${encodeURIComponent(secret)}`))
  }

  /** The name we go by in our invitations ('' until set) */
  async loadName (): Promise<string> {
    return await readOne(this.datastore, PROFILE, PROFILE_FORM, this.log) ?? ''
  }

  async saveName (name: string): Promise<void> {
    await this.datastore.put(PROFILE, PROFILE_FORM.encode(name))
  }

  private async loadAll<T> (prefix: string, form: StoredForm<T>): Promise<T[]> {
    const entries: T[] = []
    for await (const { value } of readAll(this.datastore, prefix, form, this.log)) entries.push(value)
    return entries
  }
}

function object (value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value == null || Array.isArray(value)) throw new TypeError('not a JSON object')
  return value as Record<string, unknown>
}

function field<T> (input: Record<string, unknown>, name: string, type: 'string' | 'number' | 'boolean', optional = false): T {
  const v = input[name]
  if (v === undefined && optional) return undefined as T
  if (typeof v !== type || (type === 'number' && !Number.isFinite(v))) throw new TypeError(`"${name}" is not a ${type}`)
  return v as T
}

export function parseContact (value: unknown): ContactEntry {
  const input = object(value)
  const entry: ContactEntry = {
    id: field(input, 'id', 'string'),
    name: field(input, 'name', 'string'),
    addedAt: field(input, 'addedAt', 'number'),
    readUntil: field(input, 'readUntil', 'number'),
    lastSeen: field(input, 'lastSeen', 'number', true),
    pendingInvite: field(input, 'pendingInvite', 'string', true),
    refused: field(input, 'refused', 'boolean', true)
  }
  if (input.presence !== undefined) {
    const p = object(input.presence)
    const basic = field<string>(p, 'basic', 'string')
    if (basic !== 'open' && basic !== 'closed') throw new TypeError('"presence.basic" is not open or closed')
    const note = p.note === null ? null : field<string>(p, 'note', 'string')
    entry.presence = { basic, availability: field(p, 'availability', 'string'), note, updated: field(p, 'updated', 'number') }
  }
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as unknown as ContactEntry
}

export function parseInvite (value: unknown): IssuedInvite {
  const input = object(value)
  const invite: IssuedInvite = {
    secret: field(input, 'secret', 'string'),
    name: field(input, 'name', 'string'),
    createdAt: field(input, 'createdAt', 'number'),
    expires: field(input, 'expires', 'number'),
    usedBy: field(input, 'usedBy', 'string', true),
    usedAt: field(input, 'usedAt', 'number', true)
  }
  return Object.fromEntries(Object.entries(invite).filter(([, v]) => v !== undefined)) as unknown as IssuedInvite
}
