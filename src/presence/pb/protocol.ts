import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface SubscribeRequest {
  transactionId: string
  duration: number
}

export namespace SubscribeRequest {
  let _codec: Codec<SubscribeRequest>

  export const codec = (): Codec<SubscribeRequest> => {
    if (_codec == null) {
      _codec = message<SubscribeRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.transactionId != null && obj.transactionId !== '')) {
          w.uint32(10)
          w.string(obj.transactionId)
        }

        if ((obj.duration != null && obj.duration !== 0)) {
          w.uint32(16)
          w.uint32(obj.duration)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          transactionId: '',
          duration: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.transactionId = reader.string()
              break
            }
            case 2: {
              obj.duration = reader.uint32()
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
                field: `${prefix}.transactionId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.duration`,
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

  export interface SubscribeRequestTransactionIdFieldEvent {
    field: '$.transactionId'
    value: string
  }

  export interface SubscribeRequestDurationFieldEvent {
    field: '$.duration'
    value: number
  }

  export function encode (obj: Partial<SubscribeRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SubscribeRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubscribeRequest>): SubscribeRequest {
    return decodeMessage(buf, SubscribeRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubscribeRequest>): Generator<SubscribeRequestTransactionIdFieldEvent | SubscribeRequestDurationFieldEvent> {
    return streamMessage(buf, SubscribeRequest.codec(), opts)
  }
}

export interface SubscribeResponse {
  status: SubscribeResponse.Status
  transactionId: string
  duration: number
  reason: string
  record?: Uint8Array<ArrayBuffer>
  viewKey?: ViewKey
}

export namespace SubscribeResponse {
  export enum Status {
    STATUS_UNSPECIFIED = 'STATUS_UNSPECIFIED',
    STATUS_OK = 'STATUS_OK',
    STATUS_FAILED = 'STATUS_FAILED',
    STATUS_PENDING = 'STATUS_PENDING',
    STATUS_REFUSED = 'STATUS_REFUSED'
  }

  enum __StatusValues {
    STATUS_UNSPECIFIED = 0,
    STATUS_OK = 1,
    STATUS_FAILED = 2,
    STATUS_PENDING = 3,
    STATUS_REFUSED = 4
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<SubscribeResponse>

  export const codec = (): Codec<SubscribeResponse> => {
    if (_codec == null) {
      _codec = message<SubscribeResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          SubscribeResponse.Status.codec().encode(obj.status, w)
        }

        if ((obj.transactionId != null && obj.transactionId !== '')) {
          w.uint32(18)
          w.string(obj.transactionId)
        }

        if ((obj.duration != null && obj.duration !== 0)) {
          w.uint32(24)
          w.uint32(obj.duration)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(34)
          w.string(obj.reason)
        }

        if (obj.record != null) {
          w.uint32(42)
          w.bytes(obj.record)
        }

        if (obj.viewKey != null) {
          w.uint32(50)
          ViewKey.codec().encode(obj.viewKey, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.STATUS_UNSPECIFIED,
          transactionId: '',
          duration: 0,
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = SubscribeResponse.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.transactionId = reader.string()
              break
            }
            case 3: {
              obj.duration = reader.uint32()
              break
            }
            case 4: {
              obj.reason = reader.string()
              break
            }
            case 5: {
              obj.record = reader.bytes()
              break
            }
            case 6: {
              obj.viewKey = ViewKey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.viewKey
              })
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
                value: SubscribeResponse.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.transactionId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.duration`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.record`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield * ViewKey.codec().stream(reader, reader.uint32(), `${prefix}.viewKey`, {
                limits: opts.limits?.viewKey
              })

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

  export interface SubscribeResponseStatusFieldEvent {
    field: '$.status'
    value: SubscribeResponse.Status
  }

  export interface SubscribeResponseTransactionIdFieldEvent {
    field: '$.transactionId'
    value: string
  }

  export interface SubscribeResponseDurationFieldEvent {
    field: '$.duration'
    value: number
  }

  export interface SubscribeResponseReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export interface SubscribeResponseRecordFieldEvent {
    field: '$.record'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SubscribeResponseViewKeyKeyIdFieldEvent {
    field: '$.viewKey.keyId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SubscribeResponseViewKeyKeyFieldEvent {
    field: '$.viewKey.key'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SubscribeResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SubscribeResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubscribeResponse>): SubscribeResponse {
    return decodeMessage(buf, SubscribeResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubscribeResponse>): Generator<SubscribeResponseStatusFieldEvent | SubscribeResponseTransactionIdFieldEvent | SubscribeResponseDurationFieldEvent | SubscribeResponseReasonFieldEvent | SubscribeResponseRecordFieldEvent | SubscribeResponseViewKeyKeyIdFieldEvent | SubscribeResponseViewKeyKeyFieldEvent> {
    return streamMessage(buf, SubscribeResponse.codec(), opts)
  }
}

export interface ViewKey {
  keyId: Uint8Array<ArrayBuffer>
  key: Uint8Array<ArrayBuffer>
}

export namespace ViewKey {
  let _codec: Codec<ViewKey>

  export const codec = (): Codec<ViewKey> => {
    if (_codec == null) {
      _codec = message<ViewKey>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.keyId != null && obj.keyId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.keyId)
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.key)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          keyId: uint8ArrayAlloc(0),
          key: uint8ArrayAlloc(0)
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
              obj.key = reader.bytes()
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
                field: `${prefix}.key`,
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

  export interface ViewKeyKeyIdFieldEvent {
    field: '$.keyId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ViewKeyKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ViewKey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ViewKey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ViewKey>): ViewKey {
    return decodeMessage(buf, ViewKey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ViewKey>): Generator<ViewKeyKeyIdFieldEvent | ViewKeyKeyFieldEvent> {
    return streamMessage(buf, ViewKey.codec(), opts)
  }
}

export interface Notice {
  kind: Notice.Kind
  transactionId: string
  reason: string
}

export namespace Notice {
  export enum Kind {
    KIND_UNSPECIFIED = 'KIND_UNSPECIFIED',
    KIND_APPROVED = 'KIND_APPROVED',
    KIND_CANCELLED = 'KIND_CANCELLED',
    KIND_REFUSED = 'KIND_REFUSED'
  }

  enum __KindValues {
    KIND_UNSPECIFIED = 0,
    KIND_APPROVED = 1,
    KIND_CANCELLED = 2,
    KIND_REFUSED = 3
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<Notice>

  export const codec = (): Codec<Notice> => {
    if (_codec == null) {
      _codec = message<Notice>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(8)
          Notice.Kind.codec().encode(obj.kind, w)
        }

        if ((obj.transactionId != null && obj.transactionId !== '')) {
          w.uint32(18)
          w.string(obj.transactionId)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(26)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: Kind.KIND_UNSPECIFIED,
          transactionId: '',
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = Notice.Kind.codec().decode(reader)
              break
            }
            case 2: {
              obj.transactionId = reader.string()
              break
            }
            case 3: {
              obj.reason = reader.string()
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
                field: `${prefix}.kind`,
                value: Notice.Kind.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.transactionId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.reason`,
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

  export interface NoticeKindFieldEvent {
    field: '$.kind'
    value: Notice.Kind
  }

  export interface NoticeTransactionIdFieldEvent {
    field: '$.transactionId'
    value: string
  }

  export interface NoticeReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<Notice>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Notice.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Notice>): Notice {
    return decodeMessage(buf, Notice.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Notice>): Generator<NoticeKindFieldEvent | NoticeTransactionIdFieldEvent | NoticeReasonFieldEvent> {
    return streamMessage(buf, Notice.codec(), opts)
  }
}

export interface Will {
  record: Uint8Array<ArrayBuffer>
  release: boolean
  watchers: Uint8Array<ArrayBuffer>[]
  sameWatchers: boolean
}

export namespace Will {
  let _codec: Codec<Will>

  export const codec = (): Codec<Will> => {
    if (_codec == null) {
      _codec = message<Will>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.record != null && obj.record.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.record)
        }

        if ((obj.release != null && obj.release !== false)) {
          w.uint32(16)
          w.bool(obj.release)
        }

        if (obj.watchers != null && obj.watchers.length > 0) {
          for (const value of obj.watchers) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if ((obj.sameWatchers != null && obj.sameWatchers !== false)) {
          w.uint32(32)
          w.bool(obj.sameWatchers)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          record: uint8ArrayAlloc(0),
          release: false,
          watchers: [],
          sameWatchers: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.record = reader.bytes()
              break
            }
            case 2: {
              obj.release = reader.bool()
              break
            }
            case 3: {
              if (opts.limits?.watchers != null && obj.watchers.length === opts.limits.watchers) {
                throw new MaxLengthError('Decode error - repeated field "watchers" had too many elements')
              }

              obj.watchers.push(reader.bytes())
              break
            }
            case 4: {
              obj.sameWatchers = reader.bool()
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
          watchers: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.record`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.release`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              if (opts.limits?.watchers != null && obj.watchers === opts.limits.watchers) {
                throw new MaxLengthError('Streaming decode error - repeated field "watchers" had too many elements')
              }

              yield {
                field: `${prefix}.watchers[]`,
                index: obj.watchers,
                value: reader.bytes()
              }

              obj.watchers++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.sameWatchers`,
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

  export interface WillRecordFieldEvent {
    field: '$.record'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WillReleaseFieldEvent {
    field: '$.release'
    value: boolean
  }

  export interface WillWatchersFieldEvent {
    field: '$.watchers[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface WillSameWatchersFieldEvent {
    field: '$.sameWatchers'
    value: boolean
  }

  export function encode (obj: Partial<Will>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Will.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Will>): Will {
    return decodeMessage(buf, Will.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Will>): Generator<WillRecordFieldEvent | WillReleaseFieldEvent | WillWatchersFieldEvent | WillSameWatchersFieldEvent> {
    return streamMessage(buf, Will.codec(), opts)
  }
}

export interface Push {
  record: Uint8Array<ArrayBuffer>
}

export namespace Push {
  let _codec: Codec<Push>

  export const codec = (): Codec<Push> => {
    if (_codec == null) {
      _codec = message<Push>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.record != null && obj.record.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.record)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          record: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.record = reader.bytes()
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
                field: `${prefix}.record`,
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

  export interface PushRecordFieldEvent {
    field: '$.record'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Push>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Push.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Push>): Push {
    return decodeMessage(buf, Push.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Push>): Generator<PushRecordFieldEvent> {
    return streamMessage(buf, Push.codec(), opts)
  }
}
