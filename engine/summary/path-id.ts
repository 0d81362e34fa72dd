/**
 * k6's group and check ids (k6 lib/models.go `NewGroup`, `NewCheck`): the
 * MD5 hex of the path, where a group's path is its parent's path + "::" +
 * name (the root group's is '') and a check's path is its group's path +
 * "::" + name. The root group's id is therefore d41d8cd98f00b204e9800998ecf8427e.
 * (The runtime keeps the live tree in engine/group-tree.ts.)
 */
import { createHash } from 'node:crypto';

/** k6's group/check id: MD5 hex of the path. */
export function k6PathId(path: string): string {
  return createHash('md5').update(path).digest('hex');
}
