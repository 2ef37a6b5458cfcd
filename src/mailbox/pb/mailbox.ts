import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Deposit {
  recipient: Uint8Array<ArrayBuffer>
  box: Uint8Array<ArrayBuffer>
  token?: Uint8Array<ArrayBuffer>
}

export namespace Deposit {
  let _codec: Codec<Deposit>

  export const codec = (): Codec<Deposit> => {
    if (_codec == null) {
      _codec = message<Deposit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.recipient != null && obj.recipient.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.recipient)
        }

        if ((obj.box != null && obj.box.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.box)
        }

        if (obj.token != null) {
          w.uint32(26)
          w.bytes(obj.token)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          recipient: uint8ArrayAlloc(0),
          box: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.recipient = reader.bytes()
              break
            }
            case 2: {
              obj.box = reader.bytes()
              break
            }
            case 3: {
              obj.token = reader.bytes()
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
                field: `${prefix}.recipient`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.box`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.token`,
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

  export interface DepositRecipientFieldEvent {
    field: '$.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DepositBoxFieldEvent {
    field: '$.box'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DepositTokenFieldEvent {
    field: '$.token'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Deposit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Deposit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Deposit>): Deposit {
    return decodeMessage(buf, Deposit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Deposit>): Generator<DepositRecipientFieldEvent | DepositBoxFieldEvent | DepositTokenFieldEvent> {
    return streamMessage(buf, Deposit.codec(), opts)
  }
}

export interface DepositResult {
  status: DepositResult.Status
  reason: string
  expiresAt: bigint
  contact: boolean
}

export namespace DepositResult {
  export enum Status {
    STATUS_UNSPECIFIED = 'STATUS_UNSPECIFIED',
    STATUS_STORED = 'STATUS_STORED',
    STATUS_BOX_FULL = 'STATUS_BOX_FULL',
    STATUS_TOO_LARGE = 'STATUS_TOO_LARGE',
    STATUS_REFUSED = 'STATUS_REFUSED',
    STATUS_SHARE_USED = 'STATUS_SHARE_USED',
    STATUS_DEPOSITOR_QUOTA = 'STATUS_DEPOSITOR_QUOTA',
    STATUS_RELAY_FULL = 'STATUS_RELAY_FULL',
    STATUS_TOKEN_INVALID = 'STATUS_TOKEN_INVALID'
  }

  enum __StatusValues {
    STATUS_UNSPECIFIED = 0,
    STATUS_STORED = 1,
    STATUS_BOX_FULL = 2,
    STATUS_TOO_LARGE = 3,
    STATUS_REFUSED = 4,
    STATUS_SHARE_USED = 5,
    STATUS_DEPOSITOR_QUOTA = 6,
    STATUS_RELAY_FULL = 7,
    STATUS_TOKEN_INVALID = 8
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<DepositResult>

  export const codec = (): Codec<DepositResult> => {
    if (_codec == null) {
      _codec = message<DepositResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          DepositResult.Status.codec().encode(obj.status, w)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(18)
          w.string(obj.reason)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.expiresAt)
        }

        if ((obj.contact != null && obj.contact !== false)) {
          w.uint32(32)
          w.bool(obj.contact)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.STATUS_UNSPECIFIED,
          reason: '',
          expiresAt: 0n,
          contact: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = DepositResult.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.reason = reader.string()
              break
            }
            case 3: {
              obj.expiresAt = reader.uint64()
              break
            }
            case 4: {
              obj.contact = reader.bool()
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
                value: DepositResult.Status.codec().decode(reader)
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
                field: `${prefix}.expiresAt`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.contact`,
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

  export interface DepositResultStatusFieldEvent {
    field: '$.status'
    value: DepositResult.Status
  }

  export interface DepositResultReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export interface DepositResultExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export interface DepositResultContactFieldEvent {
    field: '$.contact'
    value: boolean
  }

  export function encode (obj: Partial<DepositResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DepositResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DepositResult>): DepositResult {
    return decodeMessage(buf, DepositResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DepositResult>): Generator<DepositResultStatusFieldEvent | DepositResultReasonFieldEvent | DepositResultExpiresAtFieldEvent | DepositResultContactFieldEvent> {
    return streamMessage(buf, DepositResult.codec(), opts)
  }
}

export interface DepositToken {
  recipient: Uint8Array<ArrayBuffer>
  depositor: Uint8Array<ArrayBuffer>
  expiresAt: bigint
}

export namespace DepositToken {
  let _codec: Codec<DepositToken>

  export const codec = (): Codec<DepositToken> => {
    if (_codec == null) {
      _codec = message<DepositToken>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.recipient != null && obj.recipient.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.recipient)
        }

        if ((obj.depositor != null && obj.depositor.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.depositor)
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
          recipient: uint8ArrayAlloc(0),
          depositor: uint8ArrayAlloc(0),
          expiresAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.recipient = reader.bytes()
              break
            }
            case 2: {
              obj.depositor = reader.bytes()
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
                field: `${prefix}.recipient`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.depositor`,
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

  export interface DepositTokenRecipientFieldEvent {
    field: '$.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DepositTokenDepositorFieldEvent {
    field: '$.depositor'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DepositTokenExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export function encode (obj: Partial<DepositToken>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DepositToken.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DepositToken>): DepositToken {
    return decodeMessage(buf, DepositToken.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DepositToken>): Generator<DepositTokenRecipientFieldEvent | DepositTokenDepositorFieldEvent | DepositTokenExpiresAtFieldEvent> {
    return streamMessage(buf, DepositToken.codec(), opts)
  }
}

export interface StoredBox {
  depositedAt: bigint
  depositor: Uint8Array<ArrayBuffer>
  contact: boolean
  box: Uint8Array<ArrayBuffer>
}

export namespace StoredBox {
  let _codec: Codec<StoredBox>

  export const codec = (): Codec<StoredBox> => {
    if (_codec == null) {
      _codec = message<StoredBox>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.depositedAt != null && obj.depositedAt !== 0n)) {
          w.uint32(8)
          w.uint64(obj.depositedAt)
        }

        if ((obj.depositor != null && obj.depositor.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.depositor)
        }

        if ((obj.contact != null && obj.contact !== false)) {
          w.uint32(24)
          w.bool(obj.contact)
        }

        if ((obj.box != null && obj.box.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.box)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          depositedAt: 0n,
          depositor: uint8ArrayAlloc(0),
          contact: false,
          box: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.depositedAt = reader.uint64()
              break
            }
            case 2: {
              obj.depositor = reader.bytes()
              break
            }
            case 3: {
              obj.contact = reader.bool()
              break
            }
            case 4: {
              obj.box = reader.bytes()
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
                field: `${prefix}.depositedAt`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.depositor`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.contact`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.box`,
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

  export interface StoredBoxDepositedAtFieldEvent {
    field: '$.depositedAt'
    value: bigint
  }

  export interface StoredBoxDepositorFieldEvent {
    field: '$.depositor'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoredBoxContactFieldEvent {
    field: '$.contact'
    value: boolean
  }

  export interface StoredBoxBoxFieldEvent {
    field: '$.box'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<StoredBox>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredBox.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredBox>): StoredBox {
    return decodeMessage(buf, StoredBox.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredBox>): Generator<StoredBoxDepositedAtFieldEvent | StoredBoxDepositorFieldEvent | StoredBoxContactFieldEvent | StoredBoxBoxFieldEvent> {
    return streamMessage(buf, StoredBox.codec(), opts)
  }
}

export interface DrainRequest {
  maxItems: number
}

export namespace DrainRequest {
  let _codec: Codec<DrainRequest>

  export const codec = (): Codec<DrainRequest> => {
    if (_codec == null) {
      _codec = message<DrainRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.maxItems != null && obj.maxItems !== 0)) {
          w.uint32(8)
          w.uint32(obj.maxItems)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          maxItems: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.maxItems = reader.uint32()
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
                field: `${prefix}.maxItems`,
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

  export interface DrainRequestMaxItemsFieldEvent {
    field: '$.maxItems'
    value: number
  }

  export function encode (obj: Partial<DrainRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DrainRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DrainRequest>): DrainRequest {
    return decodeMessage(buf, DrainRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DrainRequest>): Generator<DrainRequestMaxItemsFieldEvent> {
    return streamMessage(buf, DrainRequest.codec(), opts)
  }
}

export interface Batch {
  items: Batch.Item[]
  more: boolean
}

export namespace Batch {
  export interface Item {
    id: string
    box: Uint8Array<ArrayBuffer>
    depositedAt: bigint
  }

  export namespace Item {
    let _codec: Codec<Item>

    export const codec = (): Codec<Item> => {
      if (_codec == null) {
        _codec = message<Item>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.id != null && obj.id !== '')) {
            w.uint32(10)
            w.string(obj.id)
          }

          if ((obj.box != null && obj.box.byteLength > 0)) {
            w.uint32(18)
            w.bytes(obj.box)
          }

          if ((obj.depositedAt != null && obj.depositedAt !== 0n)) {
            w.uint32(24)
            w.uint64(obj.depositedAt)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            id: '',
            box: uint8ArrayAlloc(0),
            depositedAt: 0n
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
                obj.box = reader.bytes()
                break
              }
              case 3: {
                obj.depositedAt = reader.uint64()
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
                  field: `${prefix}.box`,
                  value: reader.bytes()
                }
                break
              }
              case 3: {
                yield {
                  field: `${prefix}.depositedAt`,
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

    export interface ItemIdFieldEvent {
      field: '$.id'
      value: string
    }

    export interface ItemBoxFieldEvent {
      field: '$.box'
      value: Uint8Array<ArrayBuffer>
    }

    export interface ItemDepositedAtFieldEvent {
      field: '$.depositedAt'
      value: bigint
    }

    export function encode (obj: Partial<Item>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Item.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Item>): Item {
      return decodeMessage(buf, Item.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Item>): Generator<ItemIdFieldEvent | ItemBoxFieldEvent | ItemDepositedAtFieldEvent> {
      return streamMessage(buf, Item.codec(), opts)
    }
  }

  let _codec: Codec<Batch>

  export const codec = (): Codec<Batch> => {
    if (_codec == null) {
      _codec = message<Batch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.items != null && obj.items.length > 0) {
          for (const value of obj.items) {
            w.uint32(10)
            Batch.Item.codec().encode(value, w)
          }
        }

        if ((obj.more != null && obj.more !== false)) {
          w.uint32(16)
          w.bool(obj.more)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          items: [],
          more: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.items != null && obj.items.length === opts.limits.items) {
                throw new MaxLengthError('Decode error - repeated field "items" had too many elements')
              }

              obj.items.push(Batch.Item.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.items$
              }))
              break
            }
            case 2: {
              obj.more = reader.bool()
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
          items: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.items != null && obj.items === opts.limits.items) {
                throw new MaxLengthError('Streaming decode error - repeated field "items" had too many elements')
              }

              for (const evt of Batch.Item.codec().stream(reader, reader.uint32(), `${prefix}.items[]`, {
                limits: opts.limits?.items$
              })) {
                yield {
                  ...evt,
                  index: obj.items
                }
              }

              obj.items++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.more`,
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

  export interface BatchItemsIdFieldEvent {
    field: '$.items[].id'
    value: string
    index: number
  }

  export interface BatchItemsBoxFieldEvent {
    field: '$.items[].box'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BatchItemsDepositedAtFieldEvent {
    field: '$.items[].depositedAt'
    value: bigint
    index: number
  }

  export interface BatchMoreFieldEvent {
    field: '$.more'
    value: boolean
  }

  export function encode (obj: Partial<Batch>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Batch.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Batch>): Batch {
    return decodeMessage(buf, Batch.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Batch>): Generator<BatchItemsIdFieldEvent | BatchItemsBoxFieldEvent | BatchItemsDepositedAtFieldEvent | BatchMoreFieldEvent> {
    return streamMessage(buf, Batch.codec(), opts)
  }
}

export interface DrainAck {
  ids: string[]
}

export namespace DrainAck {
  let _codec: Codec<DrainAck>

  export const codec = (): Codec<DrainAck> => {
    if (_codec == null) {
      _codec = message<DrainAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.ids != null && obj.ids.length > 0) {
          for (const value of obj.ids) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ids: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              obj.ids.push(reader.string())
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
          ids: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.ids != null && obj.ids === opts.limits.ids) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              yield {
                field: `${prefix}.ids[]`,
                index: obj.ids,
                value: reader.string()
              }

              obj.ids++

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

  export interface DrainAckIdsFieldEvent {
    field: '$.ids[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<DrainAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DrainAck.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DrainAck>): DrainAck {
    return decodeMessage(buf, DrainAck.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DrainAck>): Generator<DrainAckIdsFieldEvent> {
    return streamMessage(buf, DrainAck.codec(), opts)
  }
}
