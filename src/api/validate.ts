/**
 * Requests checked against the schemas of src/api/schemas.ts: a failure is
 * a 400 whose message names the field and says what is wrong with it.
 */
import * as v from 'valibot'
import { ApiError } from './errors.js'

export type RequestPart = 'body' | 'query' | 'path'

export function validate<S extends v.GenericSchema> (schema: S, value: unknown, part: RequestPart): v.InferOutput<S> {
  const result = v.safeParse(schema, value)
  if (result.success) return result.output
  throw new ApiError(400, 'bad_request', describe(result.issues[0], part))
}

function describe (issue: v.BaseIssue<unknown>, part: RequestPart): string {
  const path = v.getDotPath(issue)
  const where = part === 'body' ? 'field' : part === 'query' ? 'query parameter' : 'path parameter'
  if (path == null || path === '') {
    return part === 'body' && (typeof issue.input !== 'object' || issue.input == null || Array.isArray(issue.input))
      ? 'Request body must be a JSON object'
      : issue.message
  }
  // a strict object reports a key it does not know with that key as the path, expecting nothing there
  if (issue.type === 'strict_object' && issue.expected === 'never') return `Unknown ${where} "${path}"`
  return `The ${where} "${path}" ${issue.message}`
}
