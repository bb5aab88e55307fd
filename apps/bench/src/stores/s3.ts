import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { S3Store } from '@cairn/s3'
import { startMoto } from '@cairn/test-servers'
import type { Sample } from '../measure.js'
import { benchStoreAgainstBare } from './common.js'
import type { StoreBenchContext } from './context.js'

/** S3Store next to a bare S3Client on the same moto_server (started here, on loopback). */
export async function benchS3Store(context: StoreBenchContext): Promise<Sample[]> {
  const server = await startMoto()
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' }
  const bare = new S3Client({ endpoint: server.url, region: 'us-east-1', forcePathStyle: true, credentials })
  const store = await S3Store.open({ bucket: 'bench', endpoint: server.url, credentials, createBucket: true })
  const Bucket = 'bench'
  try {
    await bare.send(new PutObjectCommand({ Bucket, Key: 'bare/small', Body: 'x'.repeat(600) }))
    const read = async (Key: string) => {
      const object = await bare.send(new GetObjectCommand({ Bucket, Key }))
      return (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()
    }
    const small = Buffer.from('c'.repeat(600))
    return await benchStoreAgainstBare('s3', { ...context, n: (c) => context.n(Math.ceil(c / 10)) }, store, {
      get: () => read('bare/small'),
      put: (i) => bare.send(new PutObjectCommand({ Bucket, Key: `bare/put/${i}`, Body: small })),
      putLarge: (bytes, i) =>
        bare.send(new PutObjectCommand({ Bucket, Key: `bare/large/${i}`, Body: bytes })),
      getLarge: () => read('bare/large/0'),
    })
  } finally {
    await store.close()
    bare.destroy()
    await server.stop()
  }
}
