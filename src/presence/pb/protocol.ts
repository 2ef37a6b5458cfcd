import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
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
}

export namespace SubscribeResponse {
  export enum Status {
    STATUS_OK = 'STATUS_OK',
    STATUS_FAILED = 'STATUS_FAILED'
  }

  enum __StatusValues {
    STATUS_OK = 0,
    STATUS_FAILED = 1
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

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.STATUS_OK,
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

  export function encode (obj: Partial<SubscribeResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SubscribeResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubscribeResponse>): SubscribeResponse {
    return decodeMessage(buf, SubscribeResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubscribeResponse>): Generator<SubscribeResponseStatusFieldEvent | SubscribeResponseTransactionIdFieldEvent | SubscribeResponseDurationFieldEvent | SubscribeResponseReasonFieldEvent | SubscribeResponseRecordFieldEvent> {
    return streamMessage(buf, SubscribeResponse.codec(), opts)
  }
}

export interface Will {
  record: Uint8Array<ArrayBuffer>
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

  export interface WillRecordFieldEvent {
    field: '$.record'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Will>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Will.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Will>): Will {
    return decodeMessage(buf, Will.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Will>): Generator<WillRecordFieldEvent> {
    return streamMessage(buf, Will.codec(), opts)
  }
}
