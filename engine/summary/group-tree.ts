/**
 * Groups and checks as k6 identifies them (k6 lib/models.go `NewGroup`,
 * `NewCheck`): a group's path is its parent's path + "::" + name (the root
 * group has name and path ''), a check's path is its group's path + "::" +
 * name, and each id is the MD5 hex of the path (so the root group's id is
 * d41d8cd98f00b204e9800998ecf8427e). The runtime may build GroupData itself;
 * this tree is a ready-made way to count checks in k6's order.
 */
import { createHash } from 'node:crypto';
import type { CheckData, GroupData } from './types.ts';

/** k6's group/check id: MD5 hex of the path. */
export function k6PathId(path: string): string {
  return createHash('md5').update(path).digest('hex');
}

/** A mutable group tree that keeps groups and checks in first-seen order. */
export class GroupTree {
  readonly root: GroupData = newGroup('', '');

  /** The child group `name` of `parent` (created on first use). */
  group(parent: GroupData, name: string): GroupData {
    const found = parent.groups.find((g) => g.name === name);
    if (found) return found;
    const g = newGroup(name, `${parent.path}::${name}`);
    parent.groups.push(g);
    return g;
  }

  /** Count one check result in `group` (created on first use). */
  check(group: GroupData, name: string, passed: boolean): CheckData {
    let c = group.checks.find((x) => x.name === name);
    if (!c) {
      const path = `${group.path}::${name}`;
      c = { name, path, id: k6PathId(path), passes: 0, fails: 0 };
      group.checks.push(c);
    }
    if (passed) c.passes++;
    else c.fails++;
    return c;
  }
}

function newGroup(name: string, path: string): GroupData {
  return { name, path, id: k6PathId(path), groups: [], checks: [] };
}
