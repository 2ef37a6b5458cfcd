import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
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
