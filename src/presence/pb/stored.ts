import { decodeMessage, encodeMessage, enumeration, MaxLengthError, MaxSizeError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface StoredSubscription {
  transactionId: string
  until: number
  grantedUntil: number
  createdAt: number
  awaitingApproval: boolean
  lastSeq?: bigint
}

export namespace StoredSubscription {
  let _codec: Codec<StoredSubscription>

  export const codec = (): Codec<StoredSubscription> => {
    if (_codec == null) {
      _codec = message<StoredSubscription>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.transactionId != null && obj.transactionId !== '')) {
          w.uint32(10)
          w.string(obj.transactionId)
        }

        if ((obj.until != null && obj.until !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.until)
        }

        if ((obj.grantedUntil != null && obj.grantedUntil !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.grantedUntil)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.createdAt)
        }

        if ((obj.awaitingApproval != null && obj.awaitingApproval !== false)) {
          w.uint32(40)
          w.bool(obj.awaitingApproval)
        }

        if (obj.lastSeq != null) {
          w.uint32(48)
          w.uint64(obj.lastSeq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          transactionId: '',
          until: 0,
          grantedUntil: 0,
          createdAt: 0,
          awaitingApproval: false
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
              obj.until = reader.uint64Number()
              break
            }
            case 3: {
              obj.grantedUntil = reader.uint64Number()
              break
            }
            case 4: {
              obj.createdAt = reader.uint64Number()
              break
            }
            case 5: {
              obj.awaitingApproval = reader.bool()
              break
            }
            case 6: {
              obj.lastSeq = reader.uint64()
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
                field: `${prefix}.until`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.grantedUntil`,
                value: reader.uint64Number()
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
                field: `${prefix}.awaitingApproval`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.lastSeq`,
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

  export interface StoredSubscriptionTransactionIdFieldEvent {
    field: '$.transactionId'
    value: string
  }

  export interface StoredSubscriptionUntilFieldEvent {
    field: '$.until'
    value: number
  }

  export interface StoredSubscriptionGrantedUntilFieldEvent {
    field: '$.grantedUntil'
    value: number
  }

  export interface StoredSubscriptionCreatedAtFieldEvent {
    field: '$.createdAt'
    value: number
  }

  export interface StoredSubscriptionAwaitingApprovalFieldEvent {
    field: '$.awaitingApproval'
    value: boolean
  }

  export interface StoredSubscriptionLastSeqFieldEvent {
    field: '$.lastSeq'
    value: bigint
  }

  export function encode (obj: Partial<StoredSubscription>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredSubscription.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredSubscription>): StoredSubscription {
    return decodeMessage(buf, StoredSubscription.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredSubscription>): Generator<StoredSubscriptionTransactionIdFieldEvent | StoredSubscriptionUntilFieldEvent | StoredSubscriptionGrantedUntilFieldEvent | StoredSubscriptionCreatedAtFieldEvent | StoredSubscriptionAwaitingApprovalFieldEvent | StoredSubscriptionLastSeqFieldEvent> {
    return streamMessage(buf, StoredSubscription.codec(), opts)
  }
}

export interface StoredWatcher {
  transactionId: string
  since: number
  expiresAt: number
}

export namespace StoredWatcher {
  let _codec: Codec<StoredWatcher>

  export const codec = (): Codec<StoredWatcher> => {
    if (_codec == null) {
      _codec = message<StoredWatcher>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.transactionId != null && obj.transactionId !== '')) {
          w.uint32(10)
          w.string(obj.transactionId)
        }

        if ((obj.since != null && obj.since !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.since)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.expiresAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          transactionId: '',
          since: 0,
          expiresAt: 0
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
              obj.since = reader.uint64Number()
              break
            }
            case 3: {
              obj.expiresAt = reader.uint64Number()
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
                field: `${prefix}.since`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.expiresAt`,
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

  export interface StoredWatcherTransactionIdFieldEvent {
    field: '$.transactionId'
    value: string
  }

  export interface StoredWatcherSinceFieldEvent {
    field: '$.since'
    value: number
  }

  export interface StoredWatcherExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: number
  }

  export function encode (obj: Partial<StoredWatcher>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredWatcher.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredWatcher>): StoredWatcher {
    return decodeMessage(buf, StoredWatcher.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredWatcher>): Generator<StoredWatcherTransactionIdFieldEvent | StoredWatcherSinceFieldEvent | StoredWatcherExpiresAtFieldEvent> {
    return streamMessage(buf, StoredWatcher.codec(), opts)
  }
}

export interface StoredPolicy {
  defaultPolicy: StoredPolicy.Default
  rules: Map<string, StoredPolicy.Rule>
  pending: Map<string, StoredPolicy.Pending>
}

export namespace StoredPolicy {
  export enum Default {
    DEFAULT_UNSPECIFIED = 'DEFAULT_UNSPECIFIED',
    DEFAULT_PUBLIC = 'DEFAULT_PUBLIC',
    DEFAULT_ASK = 'DEFAULT_ASK',
    DEFAULT_DENY = 'DEFAULT_DENY'
  }

  enum __DefaultValues {
    DEFAULT_UNSPECIFIED = 0,
    DEFAULT_PUBLIC = 1,
    DEFAULT_ASK = 2,
    DEFAULT_DENY = 3
  }

  export namespace Default {
    export const codec = (): Codec<Default> => {
      return enumeration<Default>(__DefaultValues)
    }
  }

  export interface Rule {
    kind: StoredPolicy.Rule.Kind
    view: string
  }

  export namespace Rule {
    export enum Kind {
      KIND_UNSPECIFIED = 'KIND_UNSPECIFIED',
      KIND_ALLOW = 'KIND_ALLOW',
      KIND_DENY = 'KIND_DENY',
      KIND_BLOCK = 'KIND_BLOCK'
    }

    enum __KindValues {
      KIND_UNSPECIFIED = 0,
      KIND_ALLOW = 1,
      KIND_DENY = 2,
      KIND_BLOCK = 3
    }

    export namespace Kind {
      export const codec = (): Codec<Kind> => {
        return enumeration<Kind>(__KindValues)
      }
    }

    let _codec: Codec<Rule>

    export const codec = (): Codec<Rule> => {
      if (_codec == null) {
        _codec = message<Rule>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if (obj.kind != null && __KindValues[obj.kind] !== 0) {
            w.uint32(8)
            StoredPolicy.Rule.Kind.codec().encode(obj.kind, w)
          }

          if ((obj.view != null && obj.view !== '')) {
            w.uint32(18)
            w.string(obj.view)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            kind: Kind.KIND_UNSPECIFIED,
            view: ''
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.kind = StoredPolicy.Rule.Kind.codec().decode(reader)
                break
              }
              case 2: {
                obj.view = reader.string()
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
                  value: StoredPolicy.Rule.Kind.codec().decode(reader)
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.view`,
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

    export interface RuleKindFieldEvent {
      field: '$.kind'
      value: StoredPolicy.Rule.Kind
    }

    export interface RuleViewFieldEvent {
      field: '$.view'
      value: string
    }

    export function encode (obj: Partial<Rule>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Rule.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Rule>): Rule {
      return decodeMessage(buf, Rule.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Rule>): Generator<RuleKindFieldEvent | RuleViewFieldEvent> {
      return streamMessage(buf, Rule.codec(), opts)
    }
  }

  export interface Pending {
    transactionId: string
    since: number
  }

  export namespace Pending {
    let _codec: Codec<Pending>

    export const codec = (): Codec<Pending> => {
      if (_codec == null) {
        _codec = message<Pending>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.transactionId != null && obj.transactionId !== '')) {
            w.uint32(10)
            w.string(obj.transactionId)
          }

          if ((obj.since != null && obj.since !== 0)) {
            w.uint32(16)
            w.uint64Number(obj.since)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            transactionId: '',
            since: 0
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
                obj.since = reader.uint64Number()
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
                  field: `${prefix}.since`,
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

    export interface PendingTransactionIdFieldEvent {
      field: '$.transactionId'
      value: string
    }

    export interface PendingSinceFieldEvent {
      field: '$.since'
      value: number
    }

    export function encode (obj: Partial<Pending>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Pending.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Pending>): Pending {
      return decodeMessage(buf, Pending.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Pending>): Generator<PendingTransactionIdFieldEvent | PendingSinceFieldEvent> {
      return streamMessage(buf, Pending.codec(), opts)
    }
  }

  export interface StoredPolicy$rulesEntry {
    key: string
    value?: StoredPolicy.Rule
  }

  export namespace StoredPolicy$rulesEntry {
    let _codec: Codec<StoredPolicy$rulesEntry>

    export const codec = (): Codec<StoredPolicy$rulesEntry> => {
      if (_codec == null) {
        _codec = message<StoredPolicy$rulesEntry>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.key != null && obj.key !== '')) {
            w.uint32(10)
            w.string(obj.key)
          }

          if (obj.value != null) {
            w.uint32(18)
            StoredPolicy.Rule.codec().encode(obj.value, w)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            key: ''
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.key = reader.string()
                break
              }
              case 2: {
                obj.value = StoredPolicy.Rule.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.value
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
                  field: `${prefix}.key`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield * StoredPolicy.Rule.codec().stream(reader, reader.uint32(), `${prefix}.value`, {
                  limits: opts.limits?.value
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

    export interface StoredPolicy$rulesEntryKeyFieldEvent {
      field: '$.key'
      value: string
    }

    export interface StoredPolicy$rulesEntryValueKindFieldEvent {
      field: '$.value.kind'
      value: StoredPolicy.Rule.Kind
    }

    export interface StoredPolicy$rulesEntryValueViewFieldEvent {
      field: '$.value.view'
      value: string
    }

    export function encode (obj: Partial<StoredPolicy$rulesEntry>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, StoredPolicy$rulesEntry.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredPolicy$rulesEntry>): StoredPolicy$rulesEntry {
      return decodeMessage(buf, StoredPolicy$rulesEntry.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredPolicy$rulesEntry>): Generator<StoredPolicy$rulesEntryKeyFieldEvent | StoredPolicy$rulesEntryValueKindFieldEvent | StoredPolicy$rulesEntryValueViewFieldEvent> {
      return streamMessage(buf, StoredPolicy$rulesEntry.codec(), opts)
    }
  }

  export interface StoredPolicy$pendingEntry {
    key: string
    value?: StoredPolicy.Pending
  }

  export namespace StoredPolicy$pendingEntry {
    let _codec: Codec<StoredPolicy$pendingEntry>

    export const codec = (): Codec<StoredPolicy$pendingEntry> => {
      if (_codec == null) {
        _codec = message<StoredPolicy$pendingEntry>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.key != null && obj.key !== '')) {
            w.uint32(10)
            w.string(obj.key)
          }

          if (obj.value != null) {
            w.uint32(18)
            StoredPolicy.Pending.codec().encode(obj.value, w)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            key: ''
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.key = reader.string()
                break
              }
              case 2: {
                obj.value = StoredPolicy.Pending.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.value
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
                  field: `${prefix}.key`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield * StoredPolicy.Pending.codec().stream(reader, reader.uint32(), `${prefix}.value`, {
                  limits: opts.limits?.value
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

    export interface StoredPolicy$pendingEntryKeyFieldEvent {
      field: '$.key'
      value: string
    }

    export interface StoredPolicy$pendingEntryValueTransactionIdFieldEvent {
      field: '$.value.transactionId'
      value: string
    }

    export interface StoredPolicy$pendingEntryValueSinceFieldEvent {
      field: '$.value.since'
      value: number
    }

    export function encode (obj: Partial<StoredPolicy$pendingEntry>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, StoredPolicy$pendingEntry.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredPolicy$pendingEntry>): StoredPolicy$pendingEntry {
      return decodeMessage(buf, StoredPolicy$pendingEntry.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredPolicy$pendingEntry>): Generator<StoredPolicy$pendingEntryKeyFieldEvent | StoredPolicy$pendingEntryValueTransactionIdFieldEvent | StoredPolicy$pendingEntryValueSinceFieldEvent> {
      return streamMessage(buf, StoredPolicy$pendingEntry.codec(), opts)
    }
  }

  let _codec: Codec<StoredPolicy>

  export const codec = (): Codec<StoredPolicy> => {
    if (_codec == null) {
      _codec = message<StoredPolicy>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.defaultPolicy != null && __DefaultValues[obj.defaultPolicy] !== 0) {
          w.uint32(8)
          StoredPolicy.Default.codec().encode(obj.defaultPolicy, w)
        }

        if (obj.rules != null && obj.rules.size > 0) {
          for (const [key, value] of obj.rules.entries()) {
            w.uint32(18)
            StoredPolicy.StoredPolicy$rulesEntry.codec().encode({ key, value }, w)
          }
        }

        if (obj.pending != null && obj.pending.size > 0) {
          for (const [key, value] of obj.pending.entries()) {
            w.uint32(26)
            StoredPolicy.StoredPolicy$pendingEntry.codec().encode({ key, value }, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          defaultPolicy: Default.DEFAULT_UNSPECIFIED,
          rules: new Map<string, StoredPolicy.Rule>(),
          pending: new Map<string, StoredPolicy.Pending>()
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.defaultPolicy = StoredPolicy.Default.codec().decode(reader)
              break
            }
            case 2: {
              if (opts.limits?.rules != null && obj.rules.size === opts.limits.rules) {
                throw new MaxSizeError('Decode error - map field "rules" had too many elements')
              }

              const entry = StoredPolicy.StoredPolicy$rulesEntry.codec().decode(reader, reader.uint32(), {
                limits: {
                  value: opts.limits?.rules$value
                }
              })
              obj.rules.set(entry.key, entry.value)
              break
            }
            case 3: {
              if (opts.limits?.pending != null && obj.pending.size === opts.limits.pending) {
                throw new MaxSizeError('Decode error - map field "pending" had too many elements')
              }

              const entry = StoredPolicy.StoredPolicy$pendingEntry.codec().decode(reader, reader.uint32(), {
                limits: {
                  value: opts.limits?.pending$value
                }
              })
              obj.pending.set(entry.key, entry.value)
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
          rules: 0,
          pending: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.defaultPolicy`,
                value: StoredPolicy.Default.codec().decode(reader)
              }
              break
            }
            case 2: {
              if (opts.limits?.rules != null && obj.rules === opts.limits.rules) {
                throw new MaxLengthError('Decode error - map field "rules" had too many elements')
              }

              yield * StoredPolicy.StoredPolicy$rulesEntry.codec().stream(reader, reader.uint32(), `${prefix}.rules{}`, {
                limits: {
                  value: opts.limits?.rules$value
                }
              })

              obj.rules++

              break
            }
            case 3: {
              if (opts.limits?.pending != null && obj.pending === opts.limits.pending) {
                throw new MaxLengthError('Decode error - map field "pending" had too many elements')
              }

              yield * StoredPolicy.StoredPolicy$pendingEntry.codec().stream(reader, reader.uint32(), `${prefix}.pending{}`, {
                limits: {
                  value: opts.limits?.pending$value
                }
              })

              obj.pending++

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

  export interface StoredPolicyDefaultPolicyFieldEvent {
    field: '$.defaultPolicy'
    value: StoredPolicy.Default
  }

  export interface StoredPolicyRulesKindFieldEvent {
    field: '$.rules{}.kind'
    value: StoredPolicy.Rule
    key: string
  }

  export interface StoredPolicyRulesViewFieldEvent {
    field: '$.rules{}.view'
    value: StoredPolicy.Rule
    key: string
  }

  export interface StoredPolicyPendingTransactionIdFieldEvent {
    field: '$.pending{}.transactionId'
    value: StoredPolicy.Pending
    key: string
  }

  export interface StoredPolicyPendingSinceFieldEvent {
    field: '$.pending{}.since'
    value: StoredPolicy.Pending
    key: string
  }

  export function encode (obj: Partial<StoredPolicy>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredPolicy.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredPolicy>): StoredPolicy {
    return decodeMessage(buf, StoredPolicy.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredPolicy>): Generator<StoredPolicyDefaultPolicyFieldEvent | StoredPolicyRulesKindFieldEvent | StoredPolicyRulesViewFieldEvent | StoredPolicyPendingTransactionIdFieldEvent | StoredPolicyPendingSinceFieldEvent> {
    return streamMessage(buf, StoredPolicy.codec(), opts)
  }
}

export interface StoredViewKey {
  keyId: Uint8Array<ArrayBuffer>
  key: Uint8Array<ArrayBuffer>
}

export namespace StoredViewKey {
  let _codec: Codec<StoredViewKey>

  export const codec = (): Codec<StoredViewKey> => {
    if (_codec == null) {
      _codec = message<StoredViewKey>((obj, w, opts = {}) => {
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

  export interface StoredViewKeyKeyIdFieldEvent {
    field: '$.keyId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoredViewKeyKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<StoredViewKey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredViewKey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredViewKey>): StoredViewKey {
    return decodeMessage(buf, StoredViewKey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredViewKey>): Generator<StoredViewKeyKeyIdFieldEvent | StoredViewKeyKeyFieldEvent> {
    return streamMessage(buf, StoredViewKey.codec(), opts)
  }
}

export interface StoredViewKeys {
  keys: Map<string, StoredViewKey>
}

export namespace StoredViewKeys {
  export interface StoredViewKeys$keysEntry {
    key: string
    value?: StoredViewKey
  }

  export namespace StoredViewKeys$keysEntry {
    let _codec: Codec<StoredViewKeys$keysEntry>

    export const codec = (): Codec<StoredViewKeys$keysEntry> => {
      if (_codec == null) {
        _codec = message<StoredViewKeys$keysEntry>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.key != null && obj.key !== '')) {
            w.uint32(10)
            w.string(obj.key)
          }

          if (obj.value != null) {
            w.uint32(18)
            StoredViewKey.codec().encode(obj.value, w)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            key: ''
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.key = reader.string()
                break
              }
              case 2: {
                obj.value = StoredViewKey.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.value
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
                  field: `${prefix}.key`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield * StoredViewKey.codec().stream(reader, reader.uint32(), `${prefix}.value`, {
                  limits: opts.limits?.value
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

    export interface StoredViewKeys$keysEntryKeyFieldEvent {
      field: '$.key'
      value: string
    }

    export interface StoredViewKeys$keysEntryValueKeyIdFieldEvent {
      field: '$.value.keyId'
      value: Uint8Array<ArrayBuffer>
    }

    export interface StoredViewKeys$keysEntryValueKeyFieldEvent {
      field: '$.value.key'
      value: Uint8Array<ArrayBuffer>
    }

    export function encode (obj: Partial<StoredViewKeys$keysEntry>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, StoredViewKeys$keysEntry.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredViewKeys$keysEntry>): StoredViewKeys$keysEntry {
      return decodeMessage(buf, StoredViewKeys$keysEntry.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredViewKeys$keysEntry>): Generator<StoredViewKeys$keysEntryKeyFieldEvent | StoredViewKeys$keysEntryValueKeyIdFieldEvent | StoredViewKeys$keysEntryValueKeyFieldEvent> {
      return streamMessage(buf, StoredViewKeys$keysEntry.codec(), opts)
    }
  }

  let _codec: Codec<StoredViewKeys>

  export const codec = (): Codec<StoredViewKeys> => {
    if (_codec == null) {
      _codec = message<StoredViewKeys>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.keys != null && obj.keys.size > 0) {
          for (const [key, value] of obj.keys.entries()) {
            w.uint32(10)
            StoredViewKeys.StoredViewKeys$keysEntry.codec().encode({ key, value }, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          keys: new Map<string, StoredViewKey>()
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.keys != null && obj.keys.size === opts.limits.keys) {
                throw new MaxSizeError('Decode error - map field "keys" had too many elements')
              }

              const entry = StoredViewKeys.StoredViewKeys$keysEntry.codec().decode(reader, reader.uint32(), {
                limits: {
                  value: opts.limits?.keys$value
                }
              })
              obj.keys.set(entry.key, entry.value)
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
          keys: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.keys != null && obj.keys === opts.limits.keys) {
                throw new MaxLengthError('Decode error - map field "keys" had too many elements')
              }

              yield * StoredViewKeys.StoredViewKeys$keysEntry.codec().stream(reader, reader.uint32(), `${prefix}.keys{}`, {
                limits: {
                  value: opts.limits?.keys$value
                }
              })

              obj.keys++

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

  export interface StoredViewKeysKeysKeyIdFieldEvent {
    field: '$.keys{}.keyId'
    value: StoredViewKey
    key: string
  }

  export interface StoredViewKeysKeysKeyFieldEvent {
    field: '$.keys{}.key'
    value: StoredViewKey
    key: string
  }

  export function encode (obj: Partial<StoredViewKeys>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredViewKeys.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredViewKeys>): StoredViewKeys {
    return decodeMessage(buf, StoredViewKeys.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredViewKeys>): Generator<StoredViewKeysKeysKeyIdFieldEvent | StoredViewKeysKeysKeyFieldEvent> {
    return streamMessage(buf, StoredViewKeys.codec(), opts)
  }
}

export interface StoredKeyringEntry {
  refused: boolean
  key?: StoredViewKey
}

export namespace StoredKeyringEntry {
  let _codec: Codec<StoredKeyringEntry>

  export const codec = (): Codec<StoredKeyringEntry> => {
    if (_codec == null) {
      _codec = message<StoredKeyringEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.refused != null && obj.refused !== false)) {
          w.uint32(8)
          w.bool(obj.refused)
        }

        if (obj.key != null) {
          w.uint32(18)
          StoredViewKey.codec().encode(obj.key, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          refused: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.refused = reader.bool()
              break
            }
            case 2: {
              obj.key = StoredViewKey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.key
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
                field: `${prefix}.refused`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield * StoredViewKey.codec().stream(reader, reader.uint32(), `${prefix}.key`, {
                limits: opts.limits?.key
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

  export interface StoredKeyringEntryRefusedFieldEvent {
    field: '$.refused'
    value: boolean
  }

  export interface StoredKeyringEntryKeyKeyIdFieldEvent {
    field: '$.key.keyId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoredKeyringEntryKeyKeyFieldEvent {
    field: '$.key.key'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<StoredKeyringEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredKeyringEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredKeyringEntry>): StoredKeyringEntry {
    return decodeMessage(buf, StoredKeyringEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredKeyringEntry>): Generator<StoredKeyringEntryRefusedFieldEvent | StoredKeyringEntryKeyKeyIdFieldEvent | StoredKeyringEntryKeyKeyFieldEvent> {
    return streamMessage(buf, StoredKeyringEntry.codec(), opts)
  }
}
