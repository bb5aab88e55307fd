import { canonicalHash } from './canonical/index.js'
import { CairnError, ErrorCode, invalidArgument } from './errors.js'
import { type Hash, isHash } from './hash.js'
import type { Commit } from './protocols/commit.js'

/** The canonical hash of every field of a commit except `hash` itself. */
export function commitHash(commit: Omit<Commit, 'hash'> & { hash?: string }): Hash {
  const { hash: _ignored, ...body } = commit
  // JSON round-trip first: a commit is JSON data, and stores give it back as JSON, so an
  // `undefined`-valued optional field must hash the same as an absent one.
  return canonicalHash(JSON.parse(JSON.stringify(body)))
}

/**
 * Checks a commit's shape and that `hash` is `commitHash(commit)`; throws `CAIRN_INVALID_ARGUMENT`
 * naming the first problem. Stores call this in `putCommit`, so a stored commit is always self-consistent.
 */
export function assertValidCommit(commit: unknown): asserts commit is Commit {
  if (typeof commit !== 'object' || commit === null || Array.isArray(commit)) {
    throw invalidArgument('commit must be an object')
  }
  const c = commit as Partial<Commit>
  if (!isHash(c.hash)) throw invalidArgument('commit.hash must be a 64-character lowercase hex hash')
  if (typeof c.fingerprint !== 'string' || !/^[0-9a-f]{64}:[0-9a-f]{64}$/.test(c.fingerprint)) {
    throw invalidArgument('commit.fingerprint must be "funcHash:argsHash"', { fingerprint: c.fingerprint })
  }
  const t = c.task
  if (typeof t !== 'object' || t === null) throw invalidArgument('commit.task must be an object')
  if (typeof t.name !== 'string') throw invalidArgument('commit.task.name must be a string')
  if (!isHash(t.funcHash) || !isHash(t.argsHash)) throw invalidArgument('commit.task hashes must be hashes')
  if (c.fingerprint !== `${t.funcHash}:${t.argsHash}`) {
    throw invalidArgument('commit.fingerprint must equal task.funcHash:task.argsHash')
  }
  if (c.status !== 'completed' && c.status !== 'failed') {
    throw invalidArgument('commit.status must be "completed" or "failed"', { status: c.status })
  }
  if (!Array.isArray(c.inputs) || !c.inputs.every(isHash))
    throw invalidArgument('commit.inputs must be hashes')
  if (c.parent !== undefined && !isHash(c.parent)) throw invalidArgument('commit.parent must be a hash')
  if (typeof c.tags !== 'object' || c.tags === null || Array.isArray(c.tags)) {
    throw invalidArgument('commit.tags must be an object')
  }
  for (const value of Object.values(c.tags)) {
    if (typeof value !== 'string') throw invalidArgument('commit.tags values must be strings')
  }
  if (!Number.isFinite(c.createdAt) || !Number.isFinite(c.durationMs)) {
    throw invalidArgument('commit.createdAt and commit.durationMs must be finite numbers')
  }
  let expected: Hash
  try {
    expected = commitHash(c as Commit)
  } catch (cause) {
    // Not JSON data at all (a BigInt, a cycle) or not hashable: still bad input, with a code.
    throw new CairnError(
      ErrorCode.InvalidArgument,
      `commit cannot be hashed: ${(cause as Error)?.message ?? cause}`,
      {
        cause,
      },
    )
  }
  if (expected !== c.hash) {
    throw invalidArgument(`commit.hash ${c.hash} does not match its content (${expected})`, {
      hash: c.hash,
      expected,
    })
  }
}
