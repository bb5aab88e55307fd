import { invalidArgument } from './errors.js'

/** Longest ref name accepted, in UTF-16 code units. */
export const MAX_REF_NAME_LENGTH = 512
/** Largest ref value accepted, in UTF-16 code units (refs are pointers, not documents). */
export const MAX_REF_VALUE_LENGTH: number = 64 * 1024

const FORBIDDEN_SEGMENTS = new Set(['.', '..', '__proto__', 'constructor', 'prototype'])
// C0 controls, DEL and C1 controls: invisible in logs, dangerous in paths.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/

/**
 * Ref names are `/`-separated paths of non-empty segments (`registry/MyFilter/latest`).
 * Any well-formed Unicode is allowed except control characters and backslashes; no segment may be
 * `.`, `..`, `__proto__`, `constructor` or `prototype`, so a name can never escape a directory or
 * pollute a prototype in any backend. Anything else: `CAIRN_INVALID_ARGUMENT`.
 */
export function assertRefName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw invalidArgument('ref name must be a non-empty string', { name })
  }
  if (name.length > MAX_REF_NAME_LENGTH) {
    throw invalidArgument(`ref name is longer than ${MAX_REF_NAME_LENGTH} characters`, {
      length: name.length,
    })
  }
  if (!name.isWellFormed()) throw invalidArgument('ref name is not well-formed Unicode', { name })
  if (CONTROL_RE.test(name)) throw invalidArgument('ref name contains a control character', { name })
  if (name.includes('\\')) throw invalidArgument('ref name contains a backslash', { name })
  for (const segment of name.split('/')) {
    if (segment === '')
      throw invalidArgument(`ref name ${JSON.stringify(name)} has an empty segment`, { name })
    if (FORBIDDEN_SEGMENTS.has(segment)) {
      throw invalidArgument(
        `ref name ${JSON.stringify(name)} has a forbidden segment ${JSON.stringify(segment)}`,
        {
          name,
        },
      )
    }
  }
}

/** A ref prefix for `listRefs`: '' or a string that would be a valid name's beginning. */
export function assertRefPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') throw invalidArgument('ref prefix must be a string', { prefix })
  if (prefix === '') return
  if (
    prefix.length > MAX_REF_NAME_LENGTH ||
    !prefix.isWellFormed() ||
    CONTROL_RE.test(prefix) ||
    prefix.includes('\\')
  ) {
    throw invalidArgument(`ref prefix ${JSON.stringify(prefix)} is malformed`, { prefix })
  }
}

/** Ref values are well-formed strings of at most `MAX_REF_VALUE_LENGTH` code units. */
export function assertRefValue(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw invalidArgument('ref value must be a string', { type: typeof value })
  if (value.length > MAX_REF_VALUE_LENGTH) {
    throw invalidArgument(`ref value is longer than ${MAX_REF_VALUE_LENGTH} characters`, {
      length: value.length,
    })
  }
  if (!value.isWellFormed()) throw invalidArgument('ref value is not well-formed Unicode')
}

/** `expected` of `setRef`: undefined (unconditional), null (must be absent) or a string. */
export function assertRefExpected(expected: unknown): asserts expected is string | null | undefined {
  if (expected !== undefined && expected !== null && typeof expected !== 'string') {
    throw invalidArgument('expected must be a string, null or undefined', { type: typeof expected })
  }
}
