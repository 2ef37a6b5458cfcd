import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface PresenceRecord {
  presentity: Uint8Array<ArrayBuffer>
  basic: Basic
  availability: number
  note?: Note
  contact?: Contact
  addresses: Uint8Array<ArrayBuffer>[]
  seq: bigint
  issuedAt: bigint
  expiresAt: bigint
  extensions: Extension[]
  views: SealedView[]
  restricted: boolean
  delegation: Uint8Array<ArrayBuffer>
}

export namespace PresenceRecord {
  let _codec: Codec<PresenceRecord>

  export const codec = (): Codec<PresenceRecord> => {
    if (_codec == null) {
      _codec = message<PresenceRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.presentity != null && obj.presentity.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.presentity)
        }

        if (obj.basic != null && __BasicValues[obj.basic] !== 0) {
          w.uint32(16)
          Basic.codec().encode(obj.basic, w)
        }

        if ((obj.availability != null && obj.availability !== 0)) {
          w.uint32(24)
          w.uint32(obj.availability)
        }

        if (obj.note != null) {
          w.uint32(34)
          Note.codec().encode(obj.note, w)
        }

        if (obj.contact != null) {
          w.uint32(42)
          Contact.codec().encode(obj.contact, w)
        }

        if (obj.addresses != null && obj.addresses.length > 0) {
          for (const value of obj.addresses) {
            w.uint32(50)
            w.bytes(value)
          }
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(56)
          w.uint64(obj.seq)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(64)
          w.uint64(obj.issuedAt)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(72)
          w.uint64(obj.expiresAt)
        }

        if (obj.extensions != null && obj.extensions.length > 0) {
          for (const value of obj.extensions) {
            w.uint32(82)
            Extension.codec().encode(value, w)
          }
        }

        if (obj.views != null && obj.views.length > 0) {
          for (const value of obj.views) {
            w.uint32(90)
            SealedView.codec().encode(value, w)
          }
        }

        if ((obj.restricted != null && obj.restricted !== false)) {
          w.uint32(96)
          w.bool(obj.restricted)
        }

        if ((obj.delegation != null && obj.delegation.byteLength > 0)) {
          w.uint32(106)
          w.bytes(obj.delegation)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          presentity: uint8ArrayAlloc(0),
          basic: Basic.BASIC_CLOSED,
          availability: 0,
          addresses: [],
          seq: 0n,
          issuedAt: 0n,
          expiresAt: 0n,
          extensions: [],
          views: [],
          restricted: false,
          delegation: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.presentity = reader.bytes()
              break
            }
            case 2: {
              obj.basic = Basic.codec().decode(reader)
              break
            }
            case 3: {
              obj.availability = reader.uint32()
              break
            }
            case 4: {
              obj.note = Note.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.note
              })
              break
            }
            case 5: {
              obj.contact = Contact.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.contact
              })
              break
            }
            case 6: {
              if (opts.limits?.addresses != null && obj.addresses.length === opts.limits.addresses) {
                throw new MaxLengthError('Decode error - repeated field "addresses" had too many elements')
              }

              obj.addresses.push(reader.bytes())
              break
            }
            case 7: {
              obj.seq = reader.uint64()
              break
            }
            case 8: {
              obj.issuedAt = reader.uint64()
              break
            }
            case 9: {
              obj.expiresAt = reader.uint64()
              break
            }
            case 10: {
              if (opts.limits?.extensions != null && obj.extensions.length === opts.limits.extensions) {
                throw new MaxLengthError('Decode error - repeated field "extensions" had too many elements')
              }

              obj.extensions.push(Extension.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.extensions$
              }))
              break
            }
            case 11: {
              if (opts.limits?.views != null && obj.views.length === opts.limits.views) {
                throw new MaxLengthError('Decode error - repeated field "views" had too many elements')
              }

              obj.views.push(SealedView.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.views$
              }))
              break
            }
            case 12: {
              obj.restricted = reader.bool()
              break
            }
            case 13: {
              obj.delegation = reader.bytes()
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
        const obj = {
          addresses: 0,
          extensions: 0,
          views: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.presentity`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.basic`,
                value: Basic.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.availability`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield * Note.codec().stream(reader, reader.uint32(), `${prefix}.note`, {
                limits: opts.limits?.note
              })

              break
            }
            case 5: {
              yield * Contact.codec().stream(reader, reader.uint32(), `${prefix}.contact`, {
                limits: opts.limits?.contact
              })

              break
            }
            case 6: {
              if (opts.limits?.addresses != null && obj.addresses === opts.limits.addresses) {
                throw new MaxLengthError('Streaming decode error - repeated field "addresses" had too many elements')
              }

              yield {
                field: `${prefix}.addresses[]`,
                index: obj.addresses,
                value: reader.bytes()
              }

              obj.addresses++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64()
              }
              break
            }
            case 10: {
              if (opts.limits?.extensions != null && obj.extensions === opts.limits.extensions) {
                throw new MaxLengthError('Streaming decode error - repeated field "extensions" had too many elements')
              }

              for (const evt of Extension.codec().stream(reader, reader.uint32(), `${prefix}.extensions[]`, {
                limits: opts.limits?.extensions$
              })) {
                yield {
                  ...evt,
                  index: obj.extensions
                }
              }

              obj.extensions++

              break
            }
            case 11: {
              if (opts.limits?.views != null && obj.views === opts.limits.views) {
                throw new MaxLengthError('Streaming decode error - repeated field "views" had too many elements')
              }

              for (const evt of SealedView.codec().stream(reader, reader.uint32(), `${prefix}.views[]`, {
                limits: opts.limits?.views$
              })) {
                yield {
                  ...evt,
                  index: obj.views
                }
              }

              obj.views++

              break
            }
            case 12: {
              yield {
                field: `${prefix}.restricted`,
                value: reader.bool()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.delegation`,
                value: reader.bytes()
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

  export interface PresenceRecordPresentityFieldEvent {
    field: '$.presentity'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PresenceRecordBasicFieldEvent {
    field: '$.basic'
    value: Basic
  }

  export interface PresenceRecordAvailabilityFieldEvent {
    field: '$.availability'
    value: number
  }

  export interface PresenceRecordNoteTextFieldEvent {
    field: '$.note.text'
    value: string
  }

  export interface PresenceRecordNoteLangFieldEvent {
    field: '$.note.lang'
    value: string
  }

  export interface PresenceRecordContactEmailsFieldEvent {
    field: '$.contact.emails[]'
    index: number
    value: string
  }

  export interface PresenceRecordContactPhonesFieldEvent {
    field: '$.contact.phones[]'
    index: number
    value: string
  }

  export interface PresenceRecordContactPostalFieldEvent {
    field: '$.contact.postal'
    value: string
  }

  export interface PresenceRecordContactWebFieldEvent {
    field: '$.contact.web'
    value: string
  }

  export interface PresenceRecordAddressesFieldEvent {
    field: '$.addresses[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface PresenceRecordSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface PresenceRecordIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface PresenceRecordExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export interface PresenceRecordExtensionsNsFieldEvent {
    field: '$.extensions[].ns'
    value: string
    index: number
  }

  export interface PresenceRecordExtensionsNameFieldEvent {
    field: '$.extensions[].name'
    value: string
    index: number
  }

  export interface PresenceRecordExtensionsBytesValueFieldEvent {
    field: '$.extensions[].bytesValue'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PresenceRecordExtensionsStringValueFieldEvent {
    field: '$.extensions[].stringValue'
    value: string
    index: number
  }

  export interface PresenceRecordViewsKeyIdFieldEvent {
    field: '$.views[].keyId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PresenceRecordViewsNonceFieldEvent {
    field: '$.views[].nonce'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PresenceRecordViewsCiphertextFieldEvent {
    field: '$.views[].ciphertext'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PresenceRecordRestrictedFieldEvent {
    field: '$.restricted'
    value: boolean
  }

  export interface PresenceRecordDelegationFieldEvent {
    field: '$.delegation'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PresenceRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PresenceRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PresenceRecord>): PresenceRecord {
    return decodeMessage(buf, PresenceRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PresenceRecord>): Generator<PresenceRecordPresentityFieldEvent | PresenceRecordBasicFieldEvent | PresenceRecordAvailabilityFieldEvent | PresenceRecordNoteTextFieldEvent | PresenceRecordNoteLangFieldEvent | PresenceRecordContactEmailsFieldEvent | PresenceRecordContactPhonesFieldEvent | PresenceRecordContactPostalFieldEvent | PresenceRecordContactWebFieldEvent | PresenceRecordAddressesFieldEvent | PresenceRecordSeqFieldEvent | PresenceRecordIssuedAtFieldEvent | PresenceRecordExpiresAtFieldEvent | PresenceRecordExtensionsNsFieldEvent | PresenceRecordExtensionsNameFieldEvent | PresenceRecordExtensionsBytesValueFieldEvent | PresenceRecordExtensionsStringValueFieldEvent | PresenceRecordViewsKeyIdFieldEvent | PresenceRecordViewsNonceFieldEvent | PresenceRecordViewsCiphertextFieldEvent | PresenceRecordRestrictedFieldEvent | PresenceRecordDelegationFieldEvent> {
    return streamMessage(buf, PresenceRecord.codec(), opts)
  }
}

export interface Delegation {
  presentity: Uint8Array<ArrayBuffer>
  delegate: Uint8Array<ArrayBuffer>
  expiresAt: bigint
}

export namespace Delegation {
  let _codec: Codec<Delegation>

  export const codec = (): Codec<Delegation> => {
    if (_codec == null) {
      _codec = message<Delegation>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.presentity != null && obj.presentity.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.presentity)
        }

        if ((obj.delegate != null && obj.delegate.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.delegate)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.expiresAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          presentity: uint8ArrayAlloc(0),
          delegate: uint8ArrayAlloc(0),
          expiresAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.presentity = reader.bytes()
              break
            }
            case 2: {
              obj.delegate = reader.bytes()
              break
            }
            case 3: {
              obj.expiresAt = reader.uint64()
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
                field: `${prefix}.presentity`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.delegate`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64()
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

  export interface DelegationPresentityFieldEvent {
    field: '$.presentity'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DelegationDelegateFieldEvent {
    field: '$.delegate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DelegationExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export function encode (obj: Partial<Delegation>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Delegation.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Delegation>): Delegation {
    return decodeMessage(buf, Delegation.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Delegation>): Generator<DelegationPresentityFieldEvent | DelegationDelegateFieldEvent | DelegationExpiresAtFieldEvent> {
    return streamMessage(buf, Delegation.codec(), opts)
  }
}

export interface SealedView {
  keyId: Uint8Array<ArrayBuffer>
  nonce: Uint8Array<ArrayBuffer>
  ciphertext: Uint8Array<ArrayBuffer>
}

export namespace SealedView {
  let _codec: Codec<SealedView>

  export const codec = (): Codec<SealedView> => {
    if (_codec == null) {
      _codec = message<SealedView>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.keyId != null && obj.keyId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.keyId)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.nonce)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.ciphertext)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          keyId: uint8ArrayAlloc(0),
          nonce: uint8ArrayAlloc(0),
          ciphertext: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.keyId = reader.bytes()
              break
            }
            case 2: {
              obj.nonce = reader.bytes()
              break
            }
            case 3: {
              obj.ciphertext = reader.bytes()
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
                field: `${prefix}.keyId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.ciphertext`,
                value: reader.bytes()
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

  export interface SealedViewKeyIdFieldEvent {
    field: '$.keyId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SealedViewNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SealedViewCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SealedView>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SealedView.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SealedView>): SealedView {
    return decodeMessage(buf, SealedView.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SealedView>): Generator<SealedViewKeyIdFieldEvent | SealedViewNonceFieldEvent | SealedViewCiphertextFieldEvent> {
    return streamMessage(buf, SealedView.codec(), opts)
  }
}

export enum Basic {
  BASIC_CLOSED = 'BASIC_CLOSED',
  BASIC_OPEN = 'BASIC_OPEN'
}

enum __BasicValues {
  BASIC_CLOSED = 0,
  BASIC_OPEN = 1
}

export namespace Basic {
  export const codec = (): Codec<Basic> => {
    return enumeration<Basic>(__BasicValues)
  }
}

export interface Note {
  text: string
  lang: string
}

export namespace Note {
  let _codec: Codec<Note>

  export const codec = (): Codec<Note> => {
    if (_codec == null) {
      _codec = message<Note>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(10)
          w.string(obj.text)
        }

        if ((obj.lang != null && obj.lang !== '')) {
          w.uint32(18)
          w.string(obj.lang)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          text: '',
          lang: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.text = reader.string()
              break
            }
            case 2: {
              obj.lang = reader.string()
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
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.lang`,
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

  export interface NoteTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface NoteLangFieldEvent {
    field: '$.lang'
    value: string
  }

  export function encode (obj: Partial<Note>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Note.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Note>): Note {
    return decodeMessage(buf, Note.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Note>): Generator<NoteTextFieldEvent | NoteLangFieldEvent> {
    return streamMessage(buf, Note.codec(), opts)
  }
}

export interface Contact {
  emails: string[]
  phones: string[]
  postal?: string
  web?: string
}

export namespace Contact {
  let _codec: Codec<Contact>

  export const codec = (): Codec<Contact> => {
    if (_codec == null) {
      _codec = message<Contact>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.emails != null && obj.emails.length > 0) {
          for (const value of obj.emails) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (obj.phones != null && obj.phones.length > 0) {
          for (const value of obj.phones) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (obj.postal != null) {
          w.uint32(26)
          w.string(obj.postal)
        }

        if (obj.web != null) {
          w.uint32(34)
          w.string(obj.web)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          emails: [],
          phones: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.emails != null && obj.emails.length === opts.limits.emails) {
                throw new MaxLengthError('Decode error - repeated field "emails" had too many elements')
              }

              obj.emails.push(reader.string())
              break
            }
            case 2: {
              if (opts.limits?.phones != null && obj.phones.length === opts.limits.phones) {
                throw new MaxLengthError('Decode error - repeated field "phones" had too many elements')
              }

              obj.phones.push(reader.string())
              break
            }
            case 3: {
              obj.postal = reader.string()
              break
            }
            case 4: {
              obj.web = reader.string()
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
        const obj = {
          emails: 0,
          phones: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.emails != null && obj.emails === opts.limits.emails) {
                throw new MaxLengthError('Streaming decode error - repeated field "emails" had too many elements')
              }

              yield {
                field: `${prefix}.emails[]`,
                index: obj.emails,
                value: reader.string()
              }

              obj.emails++

              break
            }
            case 2: {
              if (opts.limits?.phones != null && obj.phones === opts.limits.phones) {
                throw new MaxLengthError('Streaming decode error - repeated field "phones" had too many elements')
              }

              yield {
                field: `${prefix}.phones[]`,
                index: obj.phones,
                value: reader.string()
              }

              obj.phones++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.postal`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.web`,
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

  export interface ContactEmailsFieldEvent {
    field: '$.emails[]'
    index: number
    value: string
  }

  export interface ContactPhonesFieldEvent {
    field: '$.phones[]'
    index: number
    value: string
  }

  export interface ContactPostalFieldEvent {
    field: '$.postal'
    value: string
  }

  export interface ContactWebFieldEvent {
    field: '$.web'
    value: string
  }

  export function encode (obj: Partial<Contact>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Contact.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Contact>): Contact {
    return decodeMessage(buf, Contact.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Contact>): Generator<ContactEmailsFieldEvent | ContactPhonesFieldEvent | ContactPostalFieldEvent | ContactWebFieldEvent> {
    return streamMessage(buf, Contact.codec(), opts)
  }
}

export interface Extension {
  ns: string
  name: string
  bytesValue?: Uint8Array<ArrayBuffer>
  stringValue?: string
}

export namespace Extension {
  let _codec: Codec<Extension>

  export const codec = (): Codec<Extension> => {
    if (_codec == null) {
      _codec = message<Extension>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ns != null && obj.ns !== '')) {
          w.uint32(10)
          w.string(obj.ns)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if (obj.bytesValue != null) {
          w.uint32(26)
          w.bytes(obj.bytesValue)
        }

        if (obj.stringValue != null) {
          w.uint32(34)
          w.string(obj.stringValue)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ns: '',
          name: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ns = reader.string()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.bytesValue = reader.bytes()
              break
            }
            case 4: {
              obj.stringValue = reader.string()
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
                field: `${prefix}.ns`,
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
                field: `${prefix}.bytesValue`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.stringValue`,
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

  export interface ExtensionNsFieldEvent {
    field: '$.ns'
    value: string
  }

  export interface ExtensionNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface ExtensionBytesValueFieldEvent {
    field: '$.bytesValue'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ExtensionStringValueFieldEvent {
    field: '$.stringValue'
    value: string
  }

  export function encode (obj: Partial<Extension>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Extension.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Extension>): Extension {
    return decodeMessage(buf, Extension.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Extension>): Generator<ExtensionNsFieldEvent | ExtensionNameFieldEvent | ExtensionBytesValueFieldEvent | ExtensionStringValueFieldEvent> {
    return streamMessage(buf, Extension.codec(), opts)
  }
}
