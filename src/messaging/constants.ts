import { fromString } from 'uint8arrays/from-string'
import { PRINTABLE_ID } from '../utils/formats.js'

/**
 * Delivery protocol: one long-lived stream per connection, signed messages
 * in, batches of receipts out (docs/PROTOCOL.md). 1.0.0 carried one message
 * and one receipt per stream; 4.0.0 carries a message larger than a part in
 * several Deliver frames, and answers BUSY when the recipient has no room to
 * put it together.
 */
export const IM_PROTOCOL = '/presence-mesh/im/4.0.0'

/** Signature domain and payload type of messages: a message signature is valid for nothing else */
export const MESSAGE_DOMAIN = 'presence-mesh-im'
export const MESSAGE_PAYLOAD_TYPE = fromString('/presence-mesh/im/1')

/** Signature domain and payload type of the recipient's acknowledgements of messages */
export const ACK_DOMAIN = 'presence-mesh-im-ack'
export const BATCH_ACK_PAYLOAD_TYPE = fromString('/presence-mesh/im-acks/1')

/** Largest message body accepted by default (1 MiB: a photo); the envelope adds headers and signature */
export const DEFAULT_MAX_BODY_SIZE = 1024 * 1024
/** The range `maxBodySize` may be set to: a line of text at least, and no more than the outbox could keep */
export const MIN_MAX_BODY_SIZE = 1024
export const MAX_MAX_BODY_SIZE = 16 * 1024 * 1024
/** Room the envelope takes beyond the body: headers, addresses, key, signature */
export const ENVELOPE_OVERHEAD = 16 * 1024

/**
 * Largest part of an envelope in one Deliver frame: a message up to this
 * size goes whole, as before parts existed; a larger one in parts
 * (parts.ts). A recipient thus never reads a frame larger than a part, and
 * what it holds of a larger message is reserved before it is read.
 */
export const PART_SIZE = 64 * 1024
/** Largest Deliver frame: a part, its declared size and their tags and lengths */
export const DELIVER_FRAME_LIMIT = PART_SIZE + 64

/** Default node-wide budgets of messages being put together from parts (parts.ts, README "Limits") */
export const DEFAULT_PARTS_BUDGET = Object.freeze({
  /** 32 full-size messages at once from everyone: bounded memory, and far more than people send */
  partsTotalBytes: 32 * 1024 * 1024,
  /** A contact sending a few photos at once; more wait for room (BUSY is retried) */
  partsPeerBytes: 8 * 1024 * 1024,
  /** Fresh identities together cannot take more than a quarter of the total from contacts */
  partsStrangersBytes: 8 * 1024 * 1024,
  /** An honest sender writes 1 MiB in well under a second even through a relay */
  partsTimeoutMs: 60_000
})
/**
 * Messages a recipient works on at once from one stream: it reads no
 * further until some are answered, so a sender that never reads its
 * receipts holds at most this many messages (and their receipts) in memory
 */
export const IM_WINDOW = 64
/**
 * Frames a sender queues before it writes them without waiting for the end
 * of the turn, and messages a recipient reads before it gives the event loop
 * a turn. A whole window sealed in one turn and verified in one made the two
 * processes take turns on 2 cores rather than work side by side; by quarters,
 * the recipient verifies the first while the sender seals the next, and its
 * first stores commit and are answered before the window's last message is
 * verified (bursts of 4,000: about +14 % messages/s, record 007)
 */
export const IM_CHUNK = IM_WINDOW / 4
/**
 * Largest frame a recipient writes: a `Receipts` of at most IM_WINDOW
 * receipts (a status and a short reason each) and one signed BatchAck of as
 * many ids (64 bytes at most) and digests (34), with a deposit token
 */
export const RECEIPTS_FRAME_LIMIT = 64 * 1024
/**
 * Inbound IM streams at once on one connection: one long-lived stream, and
 * room for its successor while a broken one is still being torn down
 */
export const IM_STREAMS_PER_CONNECTION = 2
/** A sender's stream with nothing in flight this long is closed; the next message opens another */
export const IM_IDLE_MS = 60_000

/**
 * Messages older than this are refused, and the record of messages seen is
 * kept this long: together they make a replay impossible — either the
 * message is remembered as seen, or it is too old to be accepted.
 */
export const MAX_MESSAGE_AGE_MS = 7 * 24 * 60 * 60_000

/** A message id: 1–64 printable ASCII characters, unique among one sender's messages */
export const MESSAGE_ID = PRINTABLE_ID
/** A character of an RFC 2045 / RFC 7230 token: MIME types and their parameters, header names */
export const TOKEN_CHAR = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]"
/** Limits of a message's other fields (validateMessage), in UTF-16 code units; a reference is replyTo or inReplyTo */
export const MAX_CONTENT_TYPE_LENGTH = 256
export const MAX_SUBJECT_LENGTH = 1024
export const MAX_HEADERS = 32
export const MAX_HEADER_VALUE_LENGTH = 1024
export const MAX_REFERENCE_LENGTH = 256
/** Random bytes drawn at a time for message ids, 8 an id */
export const ID_RANDOM_BLOCK_BYTES = 4096
/** Longest message/cpim text fromCpim reads unless told otherwise (FromCpimOptions.maxLength) */
export const DEFAULT_MAX_CPIM_LENGTH = 4 * 1024 * 1024

/**
 * Strangers' rate: a burst of 20 covers someone who writes a few lines in a
 * row or pastes a conversation; then one message per 6 s (10 a minute) is
 * faster than a person types yet caps a flooding stranger at 600 an hour
 */
export const DEFAULT_STRANGER_BURST = 20
export const DEFAULT_STRANGER_REFILL_SECONDS = 6
/** What the inbox holds from one stranger until the user deletes some: a long conversation's worth */
export const DEFAULT_STRANGER_MESSAGES = 100
/** 2 MiB: one full-size (1 MiB) picture from someone new and a conversation around it, or a few hundred short messages */
export const DEFAULT_STRANGER_BYTES = 2 * 1024 * 1024
/** What the inbox holds from all strangers together, so fresh identities cannot fill the disk */
export const DEFAULT_STRANGERS_TOTAL_MESSAGES = 2_000
export const DEFAULT_STRANGERS_TOTAL_BYTES = 32 * 1024 * 1024
/** Rate buckets remembered at most (about 100 bytes each); the least recently used is forgotten first */
export const MAX_RATE_BUCKETS = 10_000

/**
 * Messages kept in the outbox for recipients that could not be reached, to
 * be sent when each is next seen online: a few hundred days' worth of
 * chatting, and at most 64 MiB on disk; a message that finds it full is
 * reported failed at once, nothing already waiting is dropped
 */
export const OUTBOX_MAX_MESSAGES = 1_000
export const OUTBOX_MAX_BYTES = 64 * 1024 * 1024
/**
 * How long a send looks for a recipient nothing is known of (no connection,
 * no address, not a contact) in the DHT before it says so: a presence-mesh
 * node announces its record when it starts, so what is not found in this
 * time is most likely a mistyped or made-up address
 */
export const UNKNOWN_LOOKUP_MS = 1_200

/** What the messaging service provides, for other services' `serviceDependencies` */
export const IM_CAPABILITY = '@presence-mesh/instant-messaging'

/**
 * Buckets (seconds) of the delivery-time histogram: a message on an open connection takes about a
 * millisecond, one that dials first tens to hundreds, one that finds a circuit through a relay seconds
 */
export const DELIVERY_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
