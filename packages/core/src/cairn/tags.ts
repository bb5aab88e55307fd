import { invalidArgument } from '../errors.js'

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/

/** Tags are `{ key: value }` strings; keys that could pollute a prototype or hide in logs are refused. */
export function validateTags(tags: unknown): Record<string, string> {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    throw invalidArgument('tags must be an object of strings')
  }
  const out: Record<string, string> = {}
  for (const key of Object.keys(tags)) {
    const value = (tags as Record<string, unknown>)[key]
    if (
      key === '' ||
      key.length > 128 ||
      FORBIDDEN_KEYS.has(key) ||
      CONTROL_RE.test(key) ||
      !key.isWellFormed()
    ) {
      throw invalidArgument(`tag key ${JSON.stringify(key)} is not allowed`, { key })
    }
    if (typeof value !== 'string' || value.length > 1024 || !value.isWellFormed()) {
      throw invalidArgument(`tag ${JSON.stringify(key)} must be a string of at most 1024 characters`, { key })
    }
    out[key] = value
  }
  return out
}
