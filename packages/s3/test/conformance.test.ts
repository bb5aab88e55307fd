import { runStoreSuite } from '@cairn/conformance/vitest'
import { S3Store } from '../src/index.js'
import { bareClient, credentials, endpoint, freshBucket, rawOracle } from './helpers.js'

runStoreSuite({
  name: 'S3Store',
  factory: async () => {
    const bare = bareClient()
    const bucket = await freshBucket(bare)
    // Small pages, so every listing the suite makes crosses page boundaries.
    const open = () => S3Store.open({ bucket, endpoint: endpoint(), credentials, pageSize: 7 })
    return {
      store: await open(),
      oracle: rawOracle(bare, bucket),
      reopen: open,
      teardown: async () => bare.destroy(),
    }
  },
  capabilities: S3Store.capabilities,
  oracle: true,
  concurrency: 8,
})
