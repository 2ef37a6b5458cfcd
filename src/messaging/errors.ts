/** Message bytes that do not decode, or decode to something not allowed */
export class InvalidMessageError extends Error {
  static name = 'InvalidMessageError'
  name = 'InvalidMessageError'
}

/** A message over the size limit */
export class MessageTooLargeError extends Error {
  static name = 'MessageTooLargeError'
  name = 'MessageTooLargeError'
}

/** A message or acknowledgement whose signature does not verify, or signed by the wrong key */
export class InvalidMessageSignatureError extends Error {
  static name = 'InvalidMessageSignatureError'
  name = 'InvalidMessageSignatureError'
}

/** No message with that id in the inbox */
export class MessageNotFoundError extends Error {
  static name = 'MessageNotFoundError'
  name = 'MessageNotFoundError'
}

/** Malformed message/cpim, or one that is not a presence-mesh message where one is needed */
export class InvalidCpimError extends Error {
  static name = 'InvalidCpimError'
  name = 'InvalidCpimError'
}

/** The recipient had no room just now to put a large message together: the attempt is repeated after a pause */
export class RecipientBusyError extends Error {
  static name = 'RecipientBusyError'
  name = 'RecipientBusyError'
}
