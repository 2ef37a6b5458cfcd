import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface StoredInboxPolicy {
  mode: StoredInboxPolicy.Mode
  allow: string[]
  block: string[]
  silent: boolean
}

export namespace StoredInboxPolicy {
  export enum Mode {
    MODE_UNSPECIFIED = 'MODE_UNSPECIFIED',
    MODE_EVERYONE = 'MODE_EVERYONE',
    MODE_CONTACTS = 'MODE_CONTACTS',
    MODE_NOBODY = 'MODE_NOBODY'
  }

  enum __ModeValues {
    MODE_UNSPECIFIED = 0,
    MODE_EVERYONE = 1,
    MODE_CONTACTS = 2,
    MODE_NOBODY = 3
  }

  export namespace Mode {
    export const codec = (): Codec<Mode> => {
      return enumeration<Mode>(__ModeValues)
    }
  }

  let _codec: Codec<StoredInboxPolicy>

  export const codec = (): Codec<StoredInboxPolicy> => {
    if (_codec == null) {
      _codec = message<StoredInboxPolicy>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.mode != null && __ModeValues[obj.mode] !== 0) {
          w.uint32(8)
          StoredInboxPolicy.Mode.codec().encode(obj.mode, w)
        }

        if (obj.allow != null && obj.allow.length > 0) {
          for (const value of obj.allow) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (obj.block != null && obj.block.length > 0) {
          for (const value of obj.block) {
            w.uint32(26)
            w.string(value)
          }
        }

        if ((obj.silent != null && obj.silent !== false)) {
          w.uint32(32)
          w.bool(obj.silent)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          mode: Mode.MODE_UNSPECIFIED,
          allow: [],
          block: [],
          silent: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.mode = StoredInboxPolicy.Mode.codec().decode(reader)
              break
            }
            case 2: {
              if (opts.limits?.allow != null && obj.allow.length === opts.limits.allow) {
                throw new MaxLengthError('Decode error - repeated field "allow" had too many elements')
              }

              obj.allow.push(reader.string())
              break
            }
            case 3: {
              if (opts.limits?.block != null && obj.block.length === opts.limits.block) {
                throw new MaxLengthError('Decode error - repeated field "block" had too many elements')
              }

              obj.block.push(reader.string())
              break
            }
            case 4: {
              obj.silent = reader.bool()
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
          allow: 0,
          block: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.mode`,
                value: StoredInboxPolicy.Mode.codec().decode(reader)
              }
              break
            }
            case 2: {
              if (opts.limits?.allow != null && obj.allow === opts.limits.allow) {
                throw new MaxLengthError('Streaming decode error - repeated field "allow" had too many elements')
              }

              yield {
                field: `${prefix}.allow[]`,
                index: obj.allow,
                value: reader.string()
              }

              obj.allow++

              break
            }
            case 3: {
              if (opts.limits?.block != null && obj.block === opts.limits.block) {
                throw new MaxLengthError('Streaming decode error - repeated field "block" had too many elements')
              }

              yield {
                field: `${prefix}.block[]`,
                index: obj.block,
                value: reader.string()
              }

              obj.block++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.silent`,
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

  export interface StoredInboxPolicyModeFieldEvent {
    field: '$.mode'
    value: StoredInboxPolicy.Mode
  }

  export interface StoredInboxPolicyAllowFieldEvent {
    field: '$.allow[]'
    index: number
    value: string
  }

  export interface StoredInboxPolicyBlockFieldEvent {
    field: '$.block[]'
    index: number
    value: string
  }

  export interface StoredInboxPolicySilentFieldEvent {
    field: '$.silent'
    value: boolean
  }

  export function encode (obj: Partial<StoredInboxPolicy>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredInboxPolicy.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredInboxPolicy>): StoredInboxPolicy {
    return decodeMessage(buf, StoredInboxPolicy.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredInboxPolicy>): Generator<StoredInboxPolicyModeFieldEvent | StoredInboxPolicyAllowFieldEvent | StoredInboxPolicyBlockFieldEvent | StoredInboxPolicySilentFieldEvent> {
    return streamMessage(buf, StoredInboxPolicy.codec(), opts)
  }
}

export interface StoredMessage {
  envelope: Uint8Array<ArrayBuffer>
  receivedAt?: number
  stranger: boolean
  createdAt?: number
  waiting: boolean
  outcome?: StoredMessage.Outcome
}

export namespace StoredMessage {
  export interface Outcome {
    status: StoredMessage.Outcome.Status
    reason: string
    at: number
  }

  export namespace Outcome {
    export enum Status {
      STATUS_UNSPECIFIED = 'STATUS_UNSPECIFIED',
      STATUS_DELIVERED = 'STATUS_DELIVERED',
      STATUS_STORED = 'STATUS_STORED',
      STATUS_FAILED = 'STATUS_FAILED',
      STATUS_QUEUED = 'STATUS_QUEUED'
    }

    enum __StatusValues {
      STATUS_UNSPECIFIED = 0,
      STATUS_DELIVERED = 1,
      STATUS_STORED = 2,
      STATUS_FAILED = 3,
      STATUS_QUEUED = 4
    }

    export namespace Status {
      export const codec = (): Codec<Status> => {
        return enumeration<Status>(__StatusValues)
      }
    }

    let _codec: Codec<Outcome>

    export const codec = (): Codec<Outcome> => {
      if (_codec == null) {
        _codec = message<Outcome>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if (obj.status != null && __StatusValues[obj.status] !== 0) {
            w.uint32(8)
            StoredMessage.Outcome.Status.codec().encode(obj.status, w)
          }

          if ((obj.reason != null && obj.reason !== '')) {
            w.uint32(18)
            w.string(obj.reason)
          }

          if ((obj.at != null && obj.at !== 0)) {
            w.uint32(24)
            w.uint64Number(obj.at)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            status: Status.STATUS_UNSPECIFIED,
            reason: '',
            at: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.status = StoredMessage.Outcome.Status.codec().decode(reader)
                break
              }
              case 2: {
                obj.reason = reader.string()
                break
              }
              case 3: {
                obj.at = reader.uint64Number()
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
                  value: StoredMessage.Outcome.Status.codec().decode(reader)
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
                  field: `${prefix}.at`,
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

    export interface OutcomeStatusFieldEvent {
      field: '$.status'
      value: StoredMessage.Outcome.Status
    }

    export interface OutcomeReasonFieldEvent {
      field: '$.reason'
      value: string
    }

    export interface OutcomeAtFieldEvent {
      field: '$.at'
      value: number
    }

    export function encode (obj: Partial<Outcome>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Outcome.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Outcome>): Outcome {
      return decodeMessage(buf, Outcome.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Outcome>): Generator<OutcomeStatusFieldEvent | OutcomeReasonFieldEvent | OutcomeAtFieldEvent> {
      return streamMessage(buf, Outcome.codec(), opts)
    }
  }

  let _codec: Codec<StoredMessage>

  export const codec = (): Codec<StoredMessage> => {
    if (_codec == null) {
      _codec = message<StoredMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.envelope != null && obj.envelope.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.envelope)
        }

        if (obj.receivedAt != null) {
          w.uint32(16)
          w.uint64Number(obj.receivedAt)
        }

        if ((obj.stranger != null && obj.stranger !== false)) {
          w.uint32(24)
          w.bool(obj.stranger)
        }

        if (obj.createdAt != null) {
          w.uint32(32)
          w.uint64Number(obj.createdAt)
        }

        if ((obj.waiting != null && obj.waiting !== false)) {
          w.uint32(40)
          w.bool(obj.waiting)
        }

        if (obj.outcome != null) {
          w.uint32(50)
          StoredMessage.Outcome.codec().encode(obj.outcome, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          envelope: uint8ArrayAlloc(0),
          stranger: false,
          waiting: false
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
              obj.receivedAt = reader.uint64Number()
              break
            }
            case 3: {
              obj.stranger = reader.bool()
              break
            }
            case 4: {
              obj.createdAt = reader.uint64Number()
              break
            }
            case 5: {
              obj.waiting = reader.bool()
              break
            }
            case 6: {
              obj.outcome = StoredMessage.Outcome.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.outcome
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
                field: `${prefix}.envelope`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.receivedAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.stranger`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.createdAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.waiting`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield * StoredMessage.Outcome.codec().stream(reader, reader.uint32(), `${prefix}.outcome`, {
                limits: opts.limits?.outcome
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

  export interface StoredMessageEnvelopeFieldEvent {
    field: '$.envelope'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoredMessageReceivedAtFieldEvent {
    field: '$.receivedAt'
    value: number
  }

  export interface StoredMessageStrangerFieldEvent {
    field: '$.stranger'
    value: boolean
  }

  export interface StoredMessageCreatedAtFieldEvent {
    field: '$.createdAt'
    value: number
  }

  export interface StoredMessageWaitingFieldEvent {
    field: '$.waiting'
    value: boolean
  }

  export interface StoredMessageOutcomeStatusFieldEvent {
    field: '$.outcome.status'
    value: StoredMessage.Outcome.Status
  }

  export interface StoredMessageOutcomeReasonFieldEvent {
    field: '$.outcome.reason'
    value: string
  }

  export interface StoredMessageOutcomeAtFieldEvent {
    field: '$.outcome.at'
    value: number
  }

  export function encode (obj: Partial<StoredMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredMessage>): StoredMessage {
    return decodeMessage(buf, StoredMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredMessage>): Generator<StoredMessageEnvelopeFieldEvent | StoredMessageReceivedAtFieldEvent | StoredMessageStrangerFieldEvent | StoredMessageCreatedAtFieldEvent | StoredMessageWaitingFieldEvent | StoredMessageOutcomeStatusFieldEvent | StoredMessageOutcomeReasonFieldEvent | StoredMessageOutcomeAtFieldEvent> {
    return streamMessage(buf, StoredMessage.codec(), opts)
  }
}

export interface StoredUsage {
  messages: number
  bytes: number
}

export namespace StoredUsage {
  let _codec: Codec<StoredUsage>

  export const codec = (): Codec<StoredUsage> => {
    if (_codec == null) {
      _codec = message<StoredUsage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.messages != null && obj.messages !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.messages)
        }

        if ((obj.bytes != null && obj.bytes !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.bytes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          messages: 0,
          bytes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.messages = reader.uint64Number()
              break
            }
            case 2: {
              obj.bytes = reader.uint64Number()
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
                field: `${prefix}.messages`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.bytes`,
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

  export interface StoredUsageMessagesFieldEvent {
    field: '$.messages'
    value: number
  }

  export interface StoredUsageBytesFieldEvent {
    field: '$.bytes'
    value: number
  }

  export function encode (obj: Partial<StoredUsage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredUsage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredUsage>): StoredUsage {
    return decodeMessage(buf, StoredUsage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredUsage>): Generator<StoredUsageMessagesFieldEvent | StoredUsageBytesFieldEvent> {
    return streamMessage(buf, StoredUsage.codec(), opts)
  }
}

export interface StoredSeen {
  date: number
}

export namespace StoredSeen {
  let _codec: Codec<StoredSeen>

  export const codec = (): Codec<StoredSeen> => {
    if (_codec == null) {
      _codec = message<StoredSeen>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.date != null && obj.date !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.date)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          date: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.date = reader.uint64Number()
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
                field: `${prefix}.date`,
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

  export interface StoredSeenDateFieldEvent {
    field: '$.date'
    value: number
  }

  export function encode (obj: Partial<StoredSeen>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredSeen.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredSeen>): StoredSeen {
    return decodeMessage(buf, StoredSeen.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredSeen>): Generator<StoredSeenDateFieldEvent> {
    return streamMessage(buf, StoredSeen.codec(), opts)
  }
}
