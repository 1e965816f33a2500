import type { S3Client } from '@aws-sdk/client-s3';
import { NotFoundError } from '../../../core/index.js';
import { artifactKey, assertArtifactKey, sha256Hex, type ArtifactStore, type StoredArtifact } from './artifact-store.js';

export interface S3ArtifactStoreOptions {
  /** Bucket name. Required. */
  readonly bucket: string;
  /** Key prefix inside the bucket. Default `apprentice/models/`. */
  readonly prefix?: string;
  /** Endpoint URL for S3-compatible servers (MinIO, R2). Default: AWS's. */
  readonly endpoint?: string;
  /** Region. Default `us-east-1`. */
  readonly region?: string;
  /** Static credentials; default: the AWS SDK's provider chain (env, profile, role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Path-style addressing (MinIO and most self-hosted servers need it). Default true with an endpoint. */
  readonly forcePathStyle?: boolean;
  /** Per-request deadline (ms). Default 10000. */
  readonly requestTimeoutMs?: number;
}

/**
 * Artifacts as objects in an S3-compatible bucket, through `@aws-sdk/client-s3` (loaded only
 * when this adapter is used). Keys are content addresses, so a put of existing bytes is skipped.
 * @example
 * const store = await createS3ArtifactStore({ bucket: 'models', endpoint: 'http://127.0.0.1:9000' });
 */
export async function createS3ArtifactStore(options: S3ArtifactStoreOptions): Promise<ArtifactStore> {
  const s3 = await import('@aws-sdk/client-s3');
  const prefix = options.prefix ?? 'apprentice/models/';
  const timeout = options.requestTimeoutMs ?? 10_000;
  const client: S3Client = new s3.S3Client({
    region: options.region ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
    ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
    requestHandler: { connectionTimeout: timeout, requestTimeout: timeout },
    maxAttempts: 3,
  });
  const objectKey = (key: string): string => {
    assertArtifactKey(key);
    return `${prefix}${key}`;
  };
  const notFound = (e: unknown): boolean => {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404;
  };
  const has = async (key: string): Promise<boolean> => {
    try {
      await client.send(new s3.HeadObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }));
      return true;
    } catch (e) {
      if (notFound(e)) return false;
      throw e;
    }
  };
  return {
    kind: 's3',
    async put(bytes): Promise<StoredArtifact> {
      const sha256 = sha256Hex(bytes);
      const key = artifactKey(sha256);
      if (!(await has(key))) {
        await client.send(new s3.PutObjectCommand({ Bucket: options.bucket, Key: objectKey(key), Body: bytes, ContentType: 'application/octet-stream' }));
      }
      return { key, sha256, size: bytes.byteLength };
    },
    async get(key) {
      try {
        const r = await client.send(new s3.GetObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }));
        if (!r.Body) throw new NotFoundError(`artifact ${key} has no body in s3://${options.bucket}`);
        return await r.Body.transformToByteArray();
      } catch (e) {
        if (notFound(e)) throw new NotFoundError(`artifact ${key} is missing from s3://${options.bucket}/${prefix}`, { cause: e });
        throw e;
      }
    },
    has,
    async *list() {
      let token: string | undefined;
      do {
        const r = await client.send(new s3.ListObjectsV2Command({ Bucket: options.bucket, Prefix: `${prefix}sha256/`, ...(token ? { ContinuationToken: token } : {}) }));
        for (const o of r.Contents ?? []) if (o.Key) yield o.Key.slice(prefix.length);
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
    },
    async ping() {
      await client.send(new s3.HeadBucketCommand({ Bucket: options.bucket }));
    },
    async close() {
      client.destroy();
    },
  };
}
