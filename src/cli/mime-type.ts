/**
 * The MIME type of a file sent with `pmesh send --file`, from its content
 * (the magic bytes of common formats, which a misnamed file cannot fake)
 * and else its name; and the file name a received message suggests. A
 * small table rather than a package: the CLI loads it on every send, and
 * people send a few dozen kinds of files, not thousands.
 */
import { basename, extname } from 'node:path'

/** Formats recognised by their first bytes: [type, offset, signature] */
const MAGIC: Array<[string, number, number[]]> = [
  ['image/png', 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['image/jpeg', 0, [0xff, 0xd8, 0xff]],
  ['image/gif', 0, [0x47, 0x49, 0x46, 0x38]],
  ['application/pdf', 0, [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['application/gzip', 0, [0x1f, 0x8b]],
  ['application/x-bzip2', 0, [0x42, 0x5a, 0x68]],
  ['application/x-xz', 0, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['application/x-7z-compressed', 0, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['audio/mpeg', 0, [0x49, 0x44, 0x33]],
  ['audio/ogg', 0, [0x4f, 0x67, 0x67, 0x53]],
  ['audio/flac', 0, [0x66, 0x4c, 0x61, 0x43]],
  ['video/webm', 0, [0x1a, 0x45, 0xdf, 0xa3]],
  ['video/mp4', 4, [0x66, 0x74, 0x79, 0x70]],
  ['application/wasm', 0, [0x00, 0x61, 0x73, 0x6d]]
]

/** By extension: what the content alone cannot tell (text formats, and the kinds of ZIP and RIFF) */
const EXTENSIONS: Record<string, string> = {
  '.txt': 'text/plain', '.text': 'text/plain', '.log': 'text/plain', '.md': 'text/markdown', '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values', '.html': 'text/html', '.htm': 'text/html', '.css': 'text/css',
  '.js': 'text/javascript', '.mjs': 'text/javascript', '.ts': 'text/plain', '.json': 'application/json',
  '.xml': 'application/xml', '.svg': 'image/svg+xml', '.ics': 'text/calendar', '.vcf': 'text/vcard',
  '.yaml': 'application/yaml', '.yml': 'application/yaml', '.png': 'image/png', '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.avif': 'image/avif', '.pdf': 'application/pdf',
  '.zip': 'application/zip', '.gz': 'application/gzip', '.tar': 'application/x-tar', '.7z': 'application/x-7z-compressed',
  '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.opus': 'audio/ogg', '.flac': 'audio/flac', '.wav': 'audio/wav',
  '.m4a': 'audio/mp4', '.mp4': 'video/mp4', '.webm': 'video/webm', '.avi': 'video/x-msvideo',
  '.odt': 'application/vnd.oasis.opendocument.text', '.ods': 'application/vnd.oasis.opendocument.spreadsheet',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.epub': 'application/epub+zip', '.apk': 'application/vnd.android.package-archive', '.wasm': 'application/wasm'
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

function startsWith (bytes: Uint8Array, offset: number, signature: number[]): boolean {
  return bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b)
}

/** Text a person can read: valid UTF-8 without NUL */
function isText (bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false
  try {
    utf8.decode(bytes)
    return true
  } catch {
    return false
  }
}

/** The type only: the content's when its bytes say, else the name's, else text or octets */
function essence (path: string, bytes: Uint8Array): string {
  const byName = EXTENSIONS[extname(path).toLowerCase()]
  const magic = MAGIC.find(([, offset, signature]) => startsWith(bytes, offset, signature))?.[0]
  if (magic != null) return magic
  // ZIP and RIFF hold many formats: the name says which
  if (startsWith(bytes, 0, [0x50, 0x4b, 0x03, 0x04])) return byName?.includes('zip') === true || byName?.includes('openxml') === true || byName?.includes('opendocument') === true || byName === 'application/vnd.android.package-archive' ? byName : 'application/zip'
  if (startsWith(bytes, 0, [0x52, 0x49, 0x46, 0x46]) && bytes.length >= 12) {
    const kind = String.fromCharCode(...bytes.subarray(8, 12))
    if (kind === 'WEBP') return 'image/webp'
    if (kind === 'WAVE') return 'audio/wav'
    if (kind === 'AVI ') return 'video/x-msvideo'
  }
  const text = isText(bytes)
  // a name promising text is believed only when the content is text
  if (byName != null && (!byName.startsWith('text/') || text)) return byName
  return text ? 'text/plain' : 'application/octet-stream'
}

/**
 * The Content-Type of a file to send: its type, `charset=utf-8` for text,
 * and the file's name (`name=`, which the recipient's `pmesh inbox save` uses)
 */
export function detectType (path: string, bytes: Uint8Array): string {
  const type = essence(path, bytes)
  const textual = type.startsWith('text/') || ['application/json', 'application/xml', 'image/svg+xml', 'application/yaml'].includes(type)
  const name = basename(path).replace(/[\\"]/g, c => `\\${c}`)
  return `${type}${textual && isText(bytes) ? '; charset=utf-8' : ''}${name === '' ? '' : `; name="${name}"`}`
}

/** The file name a Content-Type suggests (`name=` or `filename=`), as the sender wrote it */
export function suggestedName (contentType: string): string | undefined {
  const match = /;\s*(?:file)?name\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]+)/i.exec(contentType)
  if (match == null) return undefined
  return match[1].startsWith('"') ? match[1].slice(1, -1).replace(/\\(.)/g, '$1') : match[1]
}

/**
 * Why a name the sender chose cannot be used as it is, if it cannot: it
 * must name a file in the directory it is saved to, nothing above or beside
 */
export function unsafeName (name: string): string | undefined {
  if (name === '' || name.length > 255) return 'it is empty or too long'
  if (/[/\\]/.test(name)) return 'it contains a directory separator'
  if (name.startsWith('.')) return 'it starts with a dot (a hidden file, or a path out of the directory)'
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) return 'it contains control characters'
  return undefined
}
