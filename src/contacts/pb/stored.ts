import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface StoredKnownPresence {
  open: boolean
  availability: string
  note?: string
  updated: number
}

export namespace StoredKnownPresence {
  let _codec: Codec<StoredKnownPresence>

  export const codec = (): Codec<StoredKnownPresence> => {
    if (_codec == null) {
      _codec = message<StoredKnownPresence>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.open != null && obj.open !== false)) {
          w.uint32(8)
          w.bool(obj.open)
        }

        if ((obj.availability != null && obj.availability !== '')) {
          w.uint32(18)
          w.string(obj.availability)
        }

        if (obj.note != null) {
          w.uint32(26)
          w.string(obj.note)
        }

        if ((obj.updated != null && obj.updated !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.updated)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          open: false,
          availability: '',
          updated: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.open = reader.bool()
              break
            }
            case 2: {
              obj.availability = reader.string()
              break
            }
            case 3: {
              obj.note = reader.string()
              break
            }
            case 4: {
              obj.updated = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.open`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.availability`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.note`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.updated`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface StoredKnownPresenceOpenFieldEvent {
    field: '$.open'
    value: boolean
  }

  export interface StoredKnownPresenceAvailabilityFieldEvent {
    field: '$.availability'
    value: string
  }

  export interface StoredKnownPresenceNoteFieldEvent {
    field: '$.note'
    value: string
  }

  export interface StoredKnownPresenceUpdatedFieldEvent {
    field: '$.updated'
    value: number
  }

  export function encode (obj: Partial<StoredKnownPresence>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredKnownPresence.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredKnownPresence>): StoredKnownPresence {
    return decodeMessage(buf, StoredKnownPresence.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredKnownPresence>): Generator<StoredKnownPresenceOpenFieldEvent | StoredKnownPresenceAvailabilityFieldEvent | StoredKnownPresenceNoteFieldEvent | StoredKnownPresenceUpdatedFieldEvent> {
    return streamMessage(buf, StoredKnownPresence.codec(), opts)
  }
}

export interface StoredContact {
  id: string
  name: string
  addedAt: number
  readUntil: number
  presence?: StoredKnownPresence
  lastSeen?: number
  pendingInvite?: string
  refused: boolean
}

export namespace StoredContact {
  let _codec: Codec<StoredContact>

  export const codec = (): Codec<StoredContact> => {
    if (_codec == null) {
      _codec = message<StoredContact>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.addedAt != null && obj.addedAt !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.addedAt)
        }

        if ((obj.readUntil != null && obj.readUntil !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.readUntil)
        }

        if (obj.presence != null) {
          w.uint32(42)
          StoredKnownPresence.codec().encode(obj.presence, w)
        }

        if (obj.lastSeen != null) {
          w.uint32(48)
          w.uint64Number(obj.lastSeen)
        }

        if (obj.pendingInvite != null) {
          w.uint32(58)
          w.string(obj.pendingInvite)
        }

        if ((obj.refused != null && obj.refused !== false)) {
          w.uint32(64)
          w.bool(obj.refused)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          name: '',
          addedAt: 0,
          readUntil: 0,
          refused: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.addedAt = reader.uint64Number()
              break
            }
            case 4: {
              obj.readUntil = reader.uint64Number()
              break
            }
            case 5: {
              obj.presence = StoredKnownPresence.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.presence
              })
              break
            }
            case 6: {
              obj.lastSeen = reader.uint64Number()
              break
            }
            case 7: {
              obj.pendingInvite = reader.string()
              break
            }
            case 8: {
              obj.refused = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.addedAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.readUntil`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield * StoredKnownPresence.codec().stream(reader, reader.uint32(), `${prefix}.presence`, {
                limits: opts.limits?.presence
              })

              break
            }
            case 6: {
              yield {
                field: `${prefix}.lastSeen`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.pendingInvite`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.refused`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface StoredContactIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface StoredContactNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface StoredContactAddedAtFieldEvent {
    field: '$.addedAt'
    value: number
  }

  export interface StoredContactReadUntilFieldEvent {
    field: '$.readUntil'
    value: number
  }

  export interface StoredContactPresenceOpenFieldEvent {
    field: '$.presence.open'
    value: boolean
  }

  export interface StoredContactPresenceAvailabilityFieldEvent {
    field: '$.presence.availability'
    value: string
  }

  export interface StoredContactPresenceNoteFieldEvent {
    field: '$.presence.note'
    value: string
  }

  export interface StoredContactPresenceUpdatedFieldEvent {
    field: '$.presence.updated'
    value: number
  }

  export interface StoredContactLastSeenFieldEvent {
    field: '$.lastSeen'
    value: number
  }

  export interface StoredContactPendingInviteFieldEvent {
    field: '$.pendingInvite'
    value: string
  }

  export interface StoredContactRefusedFieldEvent {
    field: '$.refused'
    value: boolean
  }

  export function encode (obj: Partial<StoredContact>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredContact.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredContact>): StoredContact {
    return decodeMessage(buf, StoredContact.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredContact>): Generator<StoredContactIdFieldEvent | StoredContactNameFieldEvent | StoredContactAddedAtFieldEvent | StoredContactReadUntilFieldEvent | StoredContactPresenceOpenFieldEvent | StoredContactPresenceAvailabilityFieldEvent | StoredContactPresenceNoteFieldEvent | StoredContactPresenceUpdatedFieldEvent | StoredContactLastSeenFieldEvent | StoredContactPendingInviteFieldEvent | StoredContactRefusedFieldEvent> {
    return streamMessage(buf, StoredContact.codec(), opts)
  }
}

export interface StoredInvite {
  secret: string
  name: string
  createdAt: number
  expires: number
  usedBy?: string
  usedAt?: number
}

export namespace StoredInvite {
  let _codec: Codec<StoredInvite>

  export const codec = (): Codec<StoredInvite> => {
    if (_codec == null) {
      _codec = message<StoredInvite>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.secret != null && obj.secret !== '')) {
          w.uint32(10)
          w.string(obj.secret)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.createdAt)
        }

        if ((obj.expires != null && obj.expires !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.expires)
        }

        if (obj.usedBy != null) {
          w.uint32(42)
          w.string(obj.usedBy)
        }

        if (obj.usedAt != null) {
          w.uint32(48)
          w.uint64Number(obj.usedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          secret: '',
          name: '',
          createdAt: 0,
          expires: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.secret = reader.string()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.createdAt = reader.uint64Number()
              break
            }
            case 4: {
              obj.expires = reader.uint64Number()
              break
            }
            case 5: {
              obj.usedBy = reader.string()
              break
            }
            case 6: {
              obj.usedAt = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.secret`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.createdAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.expires`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.usedBy`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.usedAt`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface StoredInviteSecretFieldEvent {
    field: '$.secret'
    value: string
  }

  export interface StoredInviteNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface StoredInviteCreatedAtFieldEvent {
    field: '$.createdAt'
    value: number
  }

  export interface StoredInviteExpiresFieldEvent {
    field: '$.expires'
    value: number
  }

  export interface StoredInviteUsedByFieldEvent {
    field: '$.usedBy'
    value: string
  }

  export interface StoredInviteUsedAtFieldEvent {
    field: '$.usedAt'
    value: number
  }

  export function encode (obj: Partial<StoredInvite>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredInvite.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredInvite>): StoredInvite {
    return decodeMessage(buf, StoredInvite.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredInvite>): Generator<StoredInviteSecretFieldEvent | StoredInviteNameFieldEvent | StoredInviteCreatedAtFieldEvent | StoredInviteExpiresFieldEvent | StoredInviteUsedByFieldEvent | StoredInviteUsedAtFieldEvent> {
    return streamMessage(buf, StoredInvite.codec(), opts)
  }
}

export interface StoredProfile {
  name: string
}

export namespace StoredProfile {
  let _codec: Codec<StoredProfile>

  export const codec = (): Codec<StoredProfile> => {
    if (_codec == null) {
      _codec = message<StoredProfile>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface StoredProfileNameFieldEvent {
    field: '$.name'
    value: string
  }

  export function encode (obj: Partial<StoredProfile>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredProfile.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredProfile>): StoredProfile {
    return decodeMessage(buf, StoredProfile.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredProfile>): Generator<StoredProfileNameFieldEvent> {
    return streamMessage(buf, StoredProfile.codec(), opts)
  }
}
