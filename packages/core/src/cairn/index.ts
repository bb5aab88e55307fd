export { Cairn, type CairnStats } from './client.js'
export type { CommitDiff, FieldChange } from './diff.js'
export { LEASE_PREFIX } from './lease.js'
export {
  commitLineage,
  type LineageCommit,
  type LineageDirection,
  type LineageGraph,
  type LineageNode,
  type LineageOptions,
  type MissingCommit,
} from './lineage.js'
export type { GcOptions, GcReport, Progress, VerifyOptions, VerifyReport } from './maintenance.js'
export { isResultRef, ResultRef, type StreamOptions } from './result-ref.js'
export type {
  CairnOptions,
  CairnWarning,
  RunOptions,
  StoredResult,
  Task,
  TaskArgs,
  TaskOptions,
} from './types.js'
