import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface StoredIdentity {
  jid: string
  key: Uint8Array<ArrayBuffer>
  lastActive: number
}

export namespace StoredIdentity {
  let _codec: Codec<StoredIdentity>

  export const codec = (): Codec<StoredIdentity> => {
    if (_codec == null) {
      _codec = message<StoredIdentity>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jid != null && obj.jid !== '')) {
          w.uint32(10)
          w.string(obj.jid)
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.key)
        }

        if ((obj.lastActive != null && obj.lastActive !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.lastActive)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jid: '',
          key: uint8ArrayAlloc(0),
          lastActive: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jid = reader.string()
              break
            }
            case 2: {
              obj.key = reader.bytes()
              break
            }
            case 3: {
              obj.lastActive = reader.uint64Number()
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
                field: `${prefix}.jid`,
                value: reader.string()
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
            case 3: {
              yield {
                field: `${prefix}.lastActive`,
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

  export interface StoredIdentityJidFieldEvent {
    field: '$.jid'
    value: string
  }

  export interface StoredIdentityKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoredIdentityLastActiveFieldEvent {
    field: '$.lastActive'
    value: number
  }

  export function encode (obj: Partial<StoredIdentity>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredIdentity.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredIdentity>): StoredIdentity {
    return decodeMessage(buf, StoredIdentity.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredIdentity>): Generator<StoredIdentityJidFieldEvent | StoredIdentityKeyFieldEvent | StoredIdentityLastActiveFieldEvent> {
    return streamMessage(buf, StoredIdentity.codec(), opts)
  }
}
