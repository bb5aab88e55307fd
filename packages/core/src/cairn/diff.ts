import type { Commit } from '../protocols/commit.js'
import { outputIdentity } from './output.js'

export interface FieldChange<T> {
  changed: boolean
  a: T
  b: T
}

export interface CommitDiff {
  a: string
  b: string
  /** Same fingerprint: two runs of the same call. */
  sameCall: boolean
  function: FieldChange<{ name: string; funcHash: string; version?: string; source: string }>
  args: FieldChange<{ argsHash: string; preview: string }>
  output: FieldChange<{ hash?: string; size?: number }>
  status: FieldChange<string>
  /** `b.durationMs - a.durationMs`. */
  timing: { a: number; b: number; deltaMs: number }
  tags: {
    added: Record<string, string>
    removed: Record<string, string>
    changed: Record<string, [string, string]>
  }
}

function outputOf(commit: Commit): { hash?: string; size?: number } {
  return commit.output ? outputIdentity(commit.output) : {}
}

export function diffCommits(a: Commit, b: Commit): CommitDiff {
  const fn = (c: Commit) => ({
    name: c.task.name,
    funcHash: c.task.funcHash,
    ...(c.task.version === undefined ? {} : { version: c.task.version }),
    source: c.task.source,
  })
  const outA = outputOf(a)
  const outB = outputOf(b)
  const added: Record<string, string> = {}
  const removed: Record<string, string> = {}
  const changed: Record<string, [string, string]> = {}
  for (const [k, v] of Object.entries(b.tags)) {
    if (!Object.hasOwn(a.tags, k)) added[k] = v
    else if (a.tags[k] !== v) changed[k] = [a.tags[k] as string, v]
  }
  for (const [k, v] of Object.entries(a.tags)) if (!Object.hasOwn(b.tags, k)) removed[k] = v
  return {
    a: a.hash,
    b: b.hash,
    sameCall: a.fingerprint === b.fingerprint,
    function: { changed: a.task.funcHash !== b.task.funcHash, a: fn(a), b: fn(b) },
    args: {
      changed: a.task.argsHash !== b.task.argsHash,
      a: { argsHash: a.task.argsHash, preview: a.task.argsPreview },
      b: { argsHash: b.task.argsHash, preview: b.task.argsPreview },
    },
    output: { changed: outA.hash !== outB.hash, a: outA, b: outB },
    status: { changed: a.status !== b.status, a: a.status, b: b.status },
    timing: { a: a.durationMs, b: b.durationMs, deltaMs: b.durationMs - a.durationMs },
    tags: { added, removed, changed },
  }
}
