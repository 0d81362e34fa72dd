/** How migration 002 is split for the load: index builds per table, the rest, validations per table. */
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrationStatements } from '../schema/index.ts';
import { splitMigration } from './post-load.ts';

describe('splitMigration', () => {
  const m002 = MIGRATIONS.find((m) => m.name.startsWith('002'))!;

  it('keeps every statement of the migration exactly once', () => {
    const { perTable, rest, validations } = splitMigration(m002.sql);
    const all = [...[...perTable.values()].flat(), ...rest, ...[...validations.values()].flat()];
    expect(all.sort()).toEqual(migrationStatements(m002.sql).sort());
  });

  it('groups the foreign-key validations by the table they lock, and keeps them out of the rest', () => {
    const { rest, validations } = splitMigration(m002.sql);
    expect([...validations.values()].flat()).toHaveLength(23);
    for (const [table, stmts] of validations)
      for (const s of stmts) expect(s).toMatch(new RegExp(`^ALTER TABLE ${table}\\s+VALIDATE CONSTRAINT`));
    expect(validations.get('auth_tokens')).toHaveLength(2);
    expect(rest.filter((s) => /VALIDATE/i.test(s))).toEqual([]);
    // the keys they validate are still added (NOT VALID) by the rest
    expect(rest.filter((s) => /NOT VALID$/.test(s))).toHaveLength(23);
  });

  it('puts a validation that is not `ALTER TABLE t VALIDATE CONSTRAINT c` in the rest', () => {
    const sql = 'ALTER TABLE a VALIDATE CONSTRAINT a_fk;\nSELECT 1; -- VALIDATE CONSTRAINT in a comment\n';
    const { rest, validations } = splitMigration(sql);
    expect(validations.get('a')).toEqual(['ALTER TABLE a VALIDATE CONSTRAINT a_fk']);
    expect(rest).toEqual(['SELECT 1']);
  });
});
