export { encodeRefName, type S3Keys, s3Keys } from './keys.js'
export type { S3StoreOptions } from './options.js'
export { S3Store } from './s3-store.js'
