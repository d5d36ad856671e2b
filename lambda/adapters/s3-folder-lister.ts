/**
 * The S3 adapter of the {@link FolderLister} port: a delimiter listing of one prefix, every page.
 */
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { FolderLister } from '../app/ports';

/** Lists the folders (common prefixes) directly under a prefix. */
export class S3FolderLister implements FolderLister {
  constructor(private readonly client: S3Client) {}

  /** The common prefixes of `ListObjectsV2` with `Delimiter: '/'`, every page, sorted. */
  async listFolders(bucket: string, prefix: string): Promise<string[]> {
    const folders: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client: this.client },
      { Bucket: bucket, Prefix: prefix, Delimiter: '/' },
    )) {
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix !== undefined) folders.push(common.Prefix);
      }
    }
    return folders.sort();
  }
}
