/**
 * Checks for request bodies: each failure is a 400 naming the field.
 */
import { ApiError } from './errors.js'

export function requireObject (body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body == null || Array.isArray(body)) {
    throw new ApiError(400, 'bad_request', 'Request body must be a JSON object')
  }
  return body as Record<string, unknown>
}

export function requireString (body: unknown, field: string, maxLength = 4096): string {
  const value = requireObject(body)[field]
  if (typeof value !== 'string' || value.length === 0) {
    throw new ApiError(400, 'bad_request', `"${field}" must be a non-empty string`)
  }
  if (value.length > maxLength) {
    throw new ApiError(400, 'bad_request', `"${field}" is longer than ${maxLength} characters`)
  }
  return value
}

export function optionalString (body: unknown, field: string, maxLength = 4096): string | undefined {
  const value = requireObject(body)[field]
  if (value === undefined || value === null) return undefined
  return requireString(body, field, maxLength)
}

export function optionalNumber (body: unknown, field: string, min: number, max: number): number | undefined {
  const value = requireObject(body)[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ApiError(400, 'bad_request', `"${field}" must be a number from ${min} to ${max}`)
  }
  return value
}
