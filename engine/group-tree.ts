/**
 * The tree of groups and checks a test run builds, in the shape k6 hands to
 * handleSummary as `root_group` (k6 lib/models.go: a group's path is its
 * parent's path + "::" + name, the root's is ""; ids are the hex MD5 of the
 * path; a check's path is its group's path + "::" + check name).
 */
import { createHash } from 'node:crypto';

/** One check and its counts (k6 `lib.Check`). */
export interface CheckNode {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}

/** One group (k6 `lib.Group`), the shape of engine/summary's GroupData. */
export interface GroupNode {
  name: string;
  path: string;
  id: string;
  groups: GroupNode[];
  checks: CheckNode[];
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** Groups and checks by path, with their counters; updated by every VU. */
export class GroupTree {
  readonly root: GroupNode = { name: '', path: '', id: md5(''), groups: [], checks: [] };
  private readonly groups = new Map<string, GroupNode>([['', this.root]]);
  private readonly checks = new Map<string, CheckNode>();

  /** The group at `parentPath::name`, created on first use (k6 `Group.Group`). */
  group(parentPath: string, name: string): GroupNode {
    const path = `${parentPath}::${name}`;
    let g = this.groups.get(path);
    if (!g) {
      g = { name, path, id: md5(path), groups: [], checks: [] };
      this.groups.get(parentPath)!.groups.push(g);
      this.groups.set(path, g);
    }
    return g;
  }

  /** Counts one check result in its group (k6 `Group.Check` + Passes/Fails). */
  check(groupPath: string, name: string, pass: boolean): void {
    const path = `${groupPath}::${name}`;
    let c = this.checks.get(path);
    if (!c) {
      c = { name, path, id: md5(path), passes: 0, fails: 0 };
      this.groups.get(groupPath)!.checks.push(c);
      this.checks.set(path, c);
    }
    if (pass) c.passes++;
    else c.fails++;
  }
}
