/**
 * Where contacts and the invitations we issued live in the datastore. Each
 * entry is JSON checked field by field on load: one that does not validate
 * is logged and set aside under a `-corrupt` key, never a crash, and the
 * others load.
 */
import { Key, type Datastore } from 'interface-datastore'
import { readAll } from '../utils/stored-values.js'
import { fromString, toString } from 'uint8arrays'
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

export class ContactStore {
  private readonly datastore: Datastore
  private readonly log: Logger

  constructor (datastore: Datastore, log: Logger) {
    this.datastore = datastore
    this.log = log
  }

  async loadContacts (): Promise<ContactEntry[]> {
    return this.loadAll(CONTACTS, parseContact)
  }

  async saveContact (entry: ContactEntry): Promise<void> {
    await this.datastore.put(new Key(`${CONTACTS}/${entry.id}`), fromString(JSON.stringify(entry)))
  }

  async deleteContact (id: string): Promise<void> {
    await this.datastore.delete(new Key(`${CONTACTS}/${id}`))
  }

  async loadInvites (): Promise<IssuedInvite[]> {
    return this.loadAll(INVITES, parseInvite)
  }

  async saveInvite (invite: IssuedInvite): Promise<void> {
    await this.datastore.put(new Key(`${INVITES}/${encodeURIComponent(invite.secret)}`), fromString(JSON.stringify(invite)))
  }

  async deleteInvite (secret: string): Promise<void> {
    await this.datastore.delete(new Key(`${INVITES}/${encodeURIComponent(secret)}`))
  }

  /** The name we go by in our invitations ('' until set) */
  async loadName (): Promise<string> {
    if (!(await this.datastore.has(PROFILE))) return ''
    let name: unknown
    try {
      name = JSON.parse(toString(await this.datastore.get(PROFILE))).name
    } catch {
      name = undefined
    }
    if (typeof name === 'string') return name
    this.log.error('the stored profile is not valid; the name is reset')
    return ''
  }

  async saveName (name: string): Promise<void> {
    await this.datastore.put(PROFILE, fromString(JSON.stringify({ name })))
  }

  private async loadAll<T> (prefix: string, parse: (value: unknown) => T): Promise<T[]> {
    const entries: T[] = []
    for await (const { value } of readAll(this.datastore, prefix, value => parse(JSON.parse(toString(value))), this.log)) entries.push(value)
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
