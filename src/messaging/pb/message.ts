import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface InstantMessage {
  from: Uint8Array<ArrayBuffer>
  to: Uint8Array<ArrayBuffer>
  id: string
  date: bigint
  subject?: string
  contentType: string
  body: Uint8Array<ArrayBuffer>
  headers: InstantMessage.Header[]
  replyTo?: string
  inReplyTo?: string
}

export namespace InstantMessage {
  export interface Header {
    name: string
    value: string
  }

  export namespace Header {
    let _codec: Codec<Header>

    export const codec = (): Codec<Header> => {
      if (_codec == null) {
        _codec = message<Header>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.name != null && obj.name !== '')) {
            w.uint32(10)
            w.string(obj.name)
          }

          if ((obj.value != null && obj.value !== '')) {
            w.uint32(18)
            w.string(obj.value)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            name: '',
            value: ''
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.name = reader.string()
                break
              }
              case 2: {
                obj.value = reader.string()
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
              case 2: {
                yield {
                  field: `${prefix}.value`,
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

    export interface HeaderNameFieldEvent {
      field: '$.name'
      value: string
    }

    export interface HeaderValueFieldEvent {
      field: '$.value'
      value: string
    }

    export function encode (obj: Partial<Header>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Header.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Header>): Header {
      return decodeMessage(buf, Header.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Header>): Generator<HeaderNameFieldEvent | HeaderValueFieldEvent> {
      return streamMessage(buf, Header.codec(), opts)
    }
  }

  let _codec: Codec<InstantMessage>

  export const codec = (): Codec<InstantMessage> => {
    if (_codec == null) {
      _codec = message<InstantMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.from != null && obj.from.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.from)
        }

        if ((obj.to != null && obj.to.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.to)
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(26)
          w.string(obj.id)
        }

        if ((obj.date != null && obj.date !== 0n)) {
          w.uint32(32)
          w.uint64(obj.date)
        }

        if (obj.subject != null) {
          w.uint32(42)
          w.string(obj.subject)
        }

        if ((obj.contentType != null && obj.contentType !== '')) {
          w.uint32(50)
          w.string(obj.contentType)
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.body)
        }

        if (obj.headers != null && obj.headers.length > 0) {
          for (const value of obj.headers) {
            w.uint32(66)
            InstantMessage.Header.codec().encode(value, w)
          }
        }

        if (obj.replyTo != null) {
          w.uint32(74)
          w.string(obj.replyTo)
        }

        if (obj.inReplyTo != null) {
          w.uint32(82)
          w.string(obj.inReplyTo)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          from: uint8ArrayAlloc(0),
          to: uint8ArrayAlloc(0),
          id: '',
          date: 0n,
          contentType: '',
          body: uint8ArrayAlloc(0),
          headers: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.from = reader.bytes()
              break
            }
            case 2: {
              obj.to = reader.bytes()
              break
            }
            case 3: {
              obj.id = reader.string()
              break
            }
            case 4: {
              obj.date = reader.uint64()
              break
            }
            case 5: {
              obj.subject = reader.string()
              break
            }
            case 6: {
              obj.contentType = reader.string()
              break
            }
            case 7: {
              obj.body = reader.bytes()
              break
            }
            case 8: {
              if (opts.limits?.headers != null && obj.headers.length === opts.limits.headers) {
                throw new MaxLengthError('Decode error - repeated field "headers" had too many elements')
              }

              obj.headers.push(InstantMessage.Header.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.headers$
              }))
              break
            }
            case 9: {
              obj.replyTo = reader.string()
              break
            }
            case 10: {
              obj.inReplyTo = reader.string()
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
          headers: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.from`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.to`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.date`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.subject`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.contentType`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              if (opts.limits?.headers != null && obj.headers === opts.limits.headers) {
                throw new MaxLengthError('Streaming decode error - repeated field "headers" had too many elements')
              }

              for (const evt of InstantMessage.Header.codec().stream(reader, reader.uint32(), `${prefix}.headers[]`, {
                limits: opts.limits?.headers$
              })) {
                yield {
                  ...evt,
                  index: obj.headers
                }
              }

              obj.headers++

              break
            }
            case 9: {
              yield {
                field: `${prefix}.replyTo`,
                value: reader.string()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.inReplyTo`,
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

  export interface InstantMessageFromFieldEvent {
    field: '$.from'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InstantMessageToFieldEvent {
    field: '$.to'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InstantMessageIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface InstantMessageDateFieldEvent {
    field: '$.date'
    value: bigint
  }

  export interface InstantMessageSubjectFieldEvent {
    field: '$.subject'
    value: string
  }

  export interface InstantMessageContentTypeFieldEvent {
    field: '$.contentType'
    value: string
  }

  export interface InstantMessageBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InstantMessageHeadersNameFieldEvent {
    field: '$.headers[].name'
    value: string
    index: number
  }

  export interface InstantMessageHeadersValueFieldEvent {
    field: '$.headers[].value'
    value: string
    index: number
  }

  export interface InstantMessageReplyToFieldEvent {
    field: '$.replyTo'
    value: string
  }

  export interface InstantMessageInReplyToFieldEvent {
    field: '$.inReplyTo'
    value: string
  }

  export function encode (obj: Partial<InstantMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, InstantMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InstantMessage>): InstantMessage {
    return decodeMessage(buf, InstantMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InstantMessage>): Generator<InstantMessageFromFieldEvent | InstantMessageToFieldEvent | InstantMessageIdFieldEvent | InstantMessageDateFieldEvent | InstantMessageSubjectFieldEvent | InstantMessageContentTypeFieldEvent | InstantMessageBodyFieldEvent | InstantMessageHeadersNameFieldEvent | InstantMessageHeadersValueFieldEvent | InstantMessageReplyToFieldEvent | InstantMessageInReplyToFieldEvent> {
    return streamMessage(buf, InstantMessage.codec(), opts)
  }
}

export interface Deliver {
  envelope: Uint8Array<ArrayBuffer>
  size: number
}

export namespace Deliver {
  let _codec: Codec<Deliver>

  export const codec = (): Codec<Deliver> => {
    if (_codec == null) {
      _codec = message<Deliver>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.envelope != null && obj.envelope.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.envelope)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint32(obj.size)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          envelope: uint8ArrayAlloc(0),
          size: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.envelope = reader.bytes()
              break
            }
            case 2: {
              obj.size = reader.uint32()
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
                field: `${prefix}.envelope`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint32()
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

  export interface DeliverEnvelopeFieldEvent {
    field: '$.envelope'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DeliverSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export function encode (obj: Partial<Deliver>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Deliver.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Deliver>): Deliver {
    return decodeMessage(buf, Deliver.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Deliver>): Generator<DeliverEnvelopeFieldEvent | DeliverSizeFieldEvent> {
    return streamMessage(buf, Deliver.codec(), opts)
  }
}

export interface Receipt {
  status: Receipt.Status
  reason: string
  ack?: Uint8Array<ArrayBuffer>
  depositToken?: Uint8Array<ArrayBuffer>
  seq: number
}

export namespace Receipt {
  export enum Status {
    STATUS_UNSPECIFIED = 'STATUS_UNSPECIFIED',
    STATUS_DELIVERED = 'STATUS_DELIVERED',
    STATUS_REFUSED = 'STATUS_REFUSED',
    STATUS_TOO_LARGE = 'STATUS_TOO_LARGE',
    STATUS_INVALID = 'STATUS_INVALID',
    STATUS_RATE_LIMITED = 'STATUS_RATE_LIMITED',
    STATUS_INBOX_FULL = 'STATUS_INBOX_FULL',
    STATUS_BUSY = 'STATUS_BUSY'
  }

  enum __StatusValues {
    STATUS_UNSPECIFIED = 0,
    STATUS_DELIVERED = 1,
    STATUS_REFUSED = 2,
    STATUS_TOO_LARGE = 3,
    STATUS_INVALID = 4,
    STATUS_RATE_LIMITED = 5,
    STATUS_INBOX_FULL = 6,
    STATUS_BUSY = 7
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<Receipt>

  export const codec = (): Codec<Receipt> => {
    if (_codec == null) {
      _codec = message<Receipt>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          Receipt.Status.codec().encode(obj.status, w)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(18)
          w.string(obj.reason)
        }

        if (obj.ack != null) {
          w.uint32(26)
          w.bytes(obj.ack)
        }

        if (obj.depositToken != null) {
          w.uint32(34)
          w.bytes(obj.depositToken)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(40)
          w.uint32(obj.seq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.STATUS_UNSPECIFIED,
          reason: '',
          seq: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = Receipt.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.reason = reader.string()
              break
            }
            case 3: {
              obj.ack = reader.bytes()
              break
            }
            case 4: {
              obj.depositToken = reader.bytes()
              break
            }
            case 5: {
              obj.seq = reader.uint32()
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
                field: `${prefix}.status`,
                value: Receipt.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.ack`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.depositToken`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint32()
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

  export interface ReceiptStatusFieldEvent {
    field: '$.status'
    value: Receipt.Status
  }

  export interface ReceiptReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export interface ReceiptAckFieldEvent {
    field: '$.ack'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReceiptDepositTokenFieldEvent {
    field: '$.depositToken'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReceiptSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export function encode (obj: Partial<Receipt>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Receipt.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Receipt {
    return decodeMessage(buf, Receipt.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Generator<ReceiptStatusFieldEvent | ReceiptReasonFieldEvent | ReceiptAckFieldEvent | ReceiptDepositTokenFieldEvent | ReceiptSeqFieldEvent> {
    return streamMessage(buf, Receipt.codec(), opts)
  }
}

export interface Receipts {
  receipts: Receipt[]
  ack?: Uint8Array<ArrayBuffer>
  depositToken?: Uint8Array<ArrayBuffer>
}

export namespace Receipts {
  let _codec: Codec<Receipts>

  export const codec = (): Codec<Receipts> => {
    if (_codec == null) {
      _codec = message<Receipts>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.receipts != null && obj.receipts.length > 0) {
          for (const value of obj.receipts) {
            w.uint32(10)
            Receipt.codec().encode(value, w)
          }
        }

        if (obj.ack != null) {
          w.uint32(18)
          w.bytes(obj.ack)
        }

        if (obj.depositToken != null) {
          w.uint32(26)
          w.bytes(obj.depositToken)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          receipts: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.receipts != null && obj.receipts.length === opts.limits.receipts) {
                throw new MaxLengthError('Decode error - repeated field "receipts" had too many elements')
              }

              obj.receipts.push(Receipt.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.receipts$
              }))
              break
            }
            case 2: {
              obj.ack = reader.bytes()
              break
            }
            case 3: {
              obj.depositToken = reader.bytes()
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
          receipts: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.receipts != null && obj.receipts === opts.limits.receipts) {
                throw new MaxLengthError('Streaming decode error - repeated field "receipts" had too many elements')
              }

              for (const evt of Receipt.codec().stream(reader, reader.uint32(), `${prefix}.receipts[]`, {
                limits: opts.limits?.receipts$
              })) {
                yield {
                  ...evt,
                  index: obj.receipts
                }
              }

              obj.receipts++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.ack`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.depositToken`,
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

  export interface ReceiptsReceiptsStatusFieldEvent {
    field: '$.receipts[].status'
    value: Receipt.Status
    index: number
  }

  export interface ReceiptsReceiptsReasonFieldEvent {
    field: '$.receipts[].reason'
    value: string
    index: number
  }

  export interface ReceiptsReceiptsAckFieldEvent {
    field: '$.receipts[].ack'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReceiptsReceiptsDepositTokenFieldEvent {
    field: '$.receipts[].depositToken'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReceiptsReceiptsSeqFieldEvent {
    field: '$.receipts[].seq'
    value: number
    index: number
  }

  export interface ReceiptsAckFieldEvent {
    field: '$.ack'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReceiptsDepositTokenFieldEvent {
    field: '$.depositToken'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Receipts>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Receipts.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipts>): Receipts {
    return decodeMessage(buf, Receipts.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipts>): Generator<ReceiptsReceiptsStatusFieldEvent | ReceiptsReceiptsReasonFieldEvent | ReceiptsReceiptsAckFieldEvent | ReceiptsReceiptsDepositTokenFieldEvent | ReceiptsReceiptsSeqFieldEvent | ReceiptsAckFieldEvent | ReceiptsDepositTokenFieldEvent> {
    return streamMessage(buf, Receipts.codec(), opts)
  }
}

export interface BatchAck {
  sender: Uint8Array<ArrayBuffer>
  entries: BatchAck.Entry[]
  receivedAt: bigint
}

export namespace BatchAck {
  export interface Entry {
    id: string
    digest: Uint8Array<ArrayBuffer>
  }

  export namespace Entry {
    let _codec: Codec<Entry>

    export const codec = (): Codec<Entry> => {
      if (_codec == null) {
        _codec = message<Entry>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.id != null && obj.id !== '')) {
            w.uint32(10)
            w.string(obj.id)
          }

          if ((obj.digest != null && obj.digest.byteLength > 0)) {
            w.uint32(18)
            w.bytes(obj.digest)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            id: '',
            digest: uint8ArrayAlloc(0)
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
                obj.digest = reader.bytes()
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
                  field: `${prefix}.digest`,
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

    export interface EntryIdFieldEvent {
      field: '$.id'
      value: string
    }

    export interface EntryDigestFieldEvent {
      field: '$.digest'
      value: Uint8Array<ArrayBuffer>
    }

    export function encode (obj: Partial<Entry>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Entry.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Entry>): Entry {
      return decodeMessage(buf, Entry.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Entry>): Generator<EntryIdFieldEvent | EntryDigestFieldEvent> {
      return streamMessage(buf, Entry.codec(), opts)
    }
  }

  let _codec: Codec<BatchAck>

  export const codec = (): Codec<BatchAck> => {
    if (_codec == null) {
      _codec = message<BatchAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sender != null && obj.sender.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.sender)
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(18)
            BatchAck.Entry.codec().encode(value, w)
          }
        }

        if ((obj.receivedAt != null && obj.receivedAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.receivedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sender: uint8ArrayAlloc(0),
          entries: [],
          receivedAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sender = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(BatchAck.Entry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            case 3: {
              obj.receivedAt = reader.uint64()
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
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.sender`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of BatchAck.Entry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.receivedAt`,
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

  export interface BatchAckSenderFieldEvent {
    field: '$.sender'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BatchAckEntriesIdFieldEvent {
    field: '$.entries[].id'
    value: string
    index: number
  }

  export interface BatchAckEntriesDigestFieldEvent {
    field: '$.entries[].digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BatchAckReceivedAtFieldEvent {
    field: '$.receivedAt'
    value: bigint
  }

  export function encode (obj: Partial<BatchAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BatchAck.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BatchAck>): BatchAck {
    return decodeMessage(buf, BatchAck.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BatchAck>): Generator<BatchAckSenderFieldEvent | BatchAckEntriesIdFieldEvent | BatchAckEntriesDigestFieldEvent | BatchAckReceivedAtFieldEvent> {
    return streamMessage(buf, BatchAck.codec(), opts)
  }
}

export interface Mail {
  message?: Uint8Array<ArrayBuffer>
  depositToken?: Uint8Array<ArrayBuffer>
  batchAck?: Uint8Array<ArrayBuffer>
}

export namespace Mail {
  let _codec: Codec<Mail>

  export const codec = (): Codec<Mail> => {
    if (_codec == null) {
      _codec = message<Mail>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.message != null) {
          w.uint32(10)
          w.bytes(obj.message)
        }

        if (obj.depositToken != null) {
          w.uint32(26)
          w.bytes(obj.depositToken)
        }

        if (obj.batchAck != null) {
          w.uint32(34)
          w.bytes(obj.batchAck)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.message = reader.bytes()
              break
            }
            case 3: {
              obj.depositToken = reader.bytes()
              break
            }
            case 4: {
              obj.batchAck = reader.bytes()
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
                field: `${prefix}.message`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.depositToken`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.batchAck`,
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

  export interface MailMessageFieldEvent {
    field: '$.message'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailDepositTokenFieldEvent {
    field: '$.depositToken'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailBatchAckFieldEvent {
    field: '$.batchAck'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Mail>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Mail.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Mail>): Mail {
    return decodeMessage(buf, Mail.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Mail>): Generator<MailMessageFieldEvent | MailDepositTokenFieldEvent | MailBatchAckFieldEvent> {
    return streamMessage(buf, Mail.codec(), opts)
  }
}
