import { previewValue } from '../canonical/index.js'
import type { TaskRecord } from '../protocols/commit.js'
import type { Serializer } from '../protocols/serializer.js'
import type { Store } from '../protocols/store.js'
import type { Run } from './run.js'

/** Arguments whose serialized form is larger than this go into a blob; smaller ones are fully shown by the preview. */
const ARGS_BLOB_MIN_BYTES = 512

/** What a commit records about the task and its arguments (writing large arguments once, as a blob). */
export async function taskRecord(
  store: Store,
  run: Run,
  serializer: Serializer,
  signal: AbortSignal | undefined,
): Promise<TaskRecord> {
  const { identity } = run
  const record: TaskRecord = {
    name: identity.name,
    funcHash: identity.hash,
    source: identity.source,
    argsHash: run.argsHash,
    argsPreview: previewValue(run.args),
  }
  if (identity.version !== undefined) record.version = identity.version
  if (Object.keys(identity.deps).length > 0) record.deps = identity.deps
  if (identity.unkeyedFreeVariables.length > 0) record.unkeyedFreeVariables = identity.unkeyedFreeVariables
  let encoded: Uint8Array | undefined
  try {
    encoded = serializer.encode(run.args)
  } catch {
    encoded = undefined // arguments the serializer cannot represent keep only their hash and preview
  }
  if (encoded && encoded.byteLength > ARGS_BLOB_MIN_BYTES) {
    const blob = await store.putBlob(encoded, { signal })
    record.argsBlob = { ...blob, serializer: serializer.id }
  }
  return record
}
