/**
 * Policy decisions (write + cached 300 s), compliance checks (write + cached
 * 900 s, invalidates the policy's report) and their cache-aside reads.
 */
import type { FastifyInstance } from 'fastify';
import type { CacheDataType } from '../../config/index.ts';
import { evaluate, type RuleForEvaluation } from '../evaluate.ts';
import { notFound } from '../http-errors.ts';
import {
  audit,
  auditParams,
  created,
  idParams,
  idSchema,
  insertWithAuditSql,
  runFields,
  writeMeta,
  type RouteDeps,
} from './_shared.ts';

type Row = Record<string, unknown> & { id: number; version: number };

const RULES_SQL = `
SELECT p.enforcement_level, (SELECT role FROM users WHERE id = $2) AS subject_role, r.id, r.name, r.condition, r.effect
  FROM policies p
  LEFT JOIN policy_rules r ON r.policy_id = p.id
 WHERE p.id = $1
 ORDER BY r.rule_order, r.id`;

/** Per rule: how many of its source principles exist and are active (the compliance measure). */
const RULE_SOURCES_SQL = `
SELECT r.id, r.name, jsonb_array_length(r.source_principle_ids) AS sources,
       (SELECT count(*) FROM jsonb_array_elements_text(r.source_principle_ids) e
          JOIN principles pr ON pr.id = CASE WHEN e.value ~ '^[0-9]{1,18}$' THEN e.value::bigint END AND pr.is_active) AS active_sources
  FROM policies p
  LEFT JOIN policy_rules r ON r.policy_id = p.id
 WHERE p.id = $1
 ORDER BY r.rule_order, r.id`;

/** The decision and its audit row in one statement (no BEGIN/COMMIT round trips). */
const DECIDE_SQL = insertWithAuditSql(
  `INSERT INTO policy_decisions (policy_id, subject_id, action, resource, decision, reasons, evaluated_rules, created_at, updated_at, version, run_id, client_request_id)
   VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now(), 1, $8, $9) RETURNING *`,
  10,
);

const decisionBody = {
  type: 'object',
  required: ['policyId', 'subjectId', 'action', 'resource'],
  properties: {
    policyId: idSchema,
    subjectId: idSchema,
    action: { type: 'string', minLength: 1, maxLength: 100 },
    resource: { type: 'string', minLength: 1, maxLength: 500 },
    ...runFields,
  },
  additionalProperties: false,
} as const;

const checkBody = {
  type: 'object',
  required: ['policyId', 'checkedBy'],
  properties: { policyId: idSchema, checkedBy: idSchema, ...runFields },
  additionalProperties: false,
} as const;

/** Registers `GET <path>/:id` as a cache-aside entity read of `table`. */
export function entityRead(
  app: FastifyInstance,
  deps: RouteDeps,
  path: string,
  table: string,
  pattern: string,
  dataType: CacheDataType,
  what: string,
): void {
  // `table` is one of our constants, never request text.
  const sql = `SELECT * FROM ${table} WHERE id = $1`;
  app.get<{ Params: { id: number } }>(
    `${path}/:id`,
    {
      schema: {
        summary: `A ${what} (simple; cache-aside ${pattern}, ${dataType} TTL)`,
        tags: ['reads'],
        params: idParams,
        'x-response': { description: `the ${table} row` },
      },
    },
    async (req) => {
      const { id } = req.params;
      const row = await deps.cache.read<Row>(req.timing, {
        key: deps.cache.key(pattern, id),
        dataType,
        kind: 'entity',
        load: async () => {
          const rows = await deps.db.query<Row>(req.timing, 'simple', sql, [id]);
          return rows[0] ? { v: rows[0].version, payload: rows[0] } : null;
        },
      });
      if (!row) throw notFound(what, id);
      return row;
    },
  );
}

export function registerDecisionRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post<{ Body: { policyId: number; subjectId: number; action: string; resource: string } }>(
    '/api/v1/decisions',
    {
      schema: {
        summary:
          "Evaluate a policy's rules for a request and store the decision (join + write; cached decision:{id}, policyDecisions TTL)",
        tags: ['writes'],
        body: decisionBody,
        'x-response': { status: 201, description: 'the policy_decisions row' },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const meta = writeMeta(req);
      // No transaction: the rules are read without a lock (under READ COMMITTED a transaction
      // would give the read its own snapshot all the same), and the decision and its audit row
      // are one statement. Two round trips instead of five (BEGIN, read, two inserts, COMMIT).
      const row = await deps.db.session(req.timing, async (q) => {
        type RuleRow = Omit<RuleForEvaluation, 'id'> & {
          enforcement_level: string;
          subject_role: string | null;
          id: number | null;
        } & Record<string, unknown>;
        const rules = await q.query<RuleRow>('join', RULES_SQL, [b.policyId, b.subjectId]);
        if (rules.length === 0) throw notFound('policy', b.policyId, 'policyId');
        if (rules[0].subject_role === null) throw notFound('user', b.subjectId, 'subjectId');
        const request = { action: b.action, resource: b.resource, role: rules[0].subject_role };
        const evaluation = evaluate(
          rules.filter((r): r is RuleRow & { id: number } => r.id !== null),
          rules[0].enforcement_level,
          request,
        );
        const inserted = await q.query<Row>('write', DECIDE_SQL, [
          b.policyId,
          b.subjectId,
          b.action,
          b.resource,
          evaluation.decision,
          JSON.stringify(evaluation.reasons),
          evaluation.evaluatedRules,
          meta.runId,
          meta.clientRequestId,
          ...auditParams({
            actorId: b.subjectId,
            action: 'policy.decide',
            entityType: 'policy_decision',
            details: { policyId: b.policyId, decision: evaluation.decision },
          }),
        ]);
        return inserted[0];
      });
      await deps.cache.put(req.timing, deps.cache.key('decision:{id}', row.id), 'policyDecisions', 'entity', {
        v: row.version,
        payload: row,
      });
      return created(reply, row);
    },
  );
  entityRead(app, deps, '/api/v1/decisions', 'policy_decisions', 'decision:{id}', 'policyDecisions', 'policy decision');

  app.post<{ Body: { policyId: number; checkedBy: number } }>(
    '/api/v1/compliance-checks',
    {
      schema: {
        summary:
          "Check a policy's rules against their source principles and store the result (write; cached compliance:{id}; invalidates api:compliance-report:{policyId})",
        tags: ['writes'],
        body: checkBody,
        'x-response': {
          status: 201,
          description:
            'the compliance_checks row (score = % of rules whose source principles all exist and are active)',
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const meta = writeMeta(req);
      const row = await deps.db.transaction(req.timing, async (tx) => {
        const rules = await tx.query<{ id: number | null; name: string; sources: number; active_sources: number }>(
          'join',
          RULE_SOURCES_SQL,
          [b.policyId],
        );
        if (rules.length === 0) throw notFound('policy', b.policyId, 'policyId');
        const real = rules.filter((r) => r.id !== null);
        const failing = real.filter((r) => r.sources === 0 || r.active_sources < r.sources);
        const score = real.length === 0 ? 100 : (100 * (real.length - failing.length)) / real.length;
        const status = score >= 80 ? 'pass' : score >= 50 ? 'warn' : 'fail';
        const findings = failing.slice(0, 20).map((r) => ({
          ruleId: r.id,
          rule: r.name,
          issue: r.sources === 0 ? 'rule names no source principle' : 'a source principle is missing or inactive',
        }));
        const inserted = await tx.query<Row>(
          'write',
          `INSERT INTO compliance_checks (policy_id, checked_by, status, score, findings, created_at, updated_at, version, run_id, client_request_id)
         VALUES ($1, $2, $3, round($4::numeric, 2), $5, now(), now(), 1, $6, $7) RETURNING *`,
          [b.policyId, b.checkedBy, status, score, JSON.stringify(findings), meta.runId, meta.clientRequestId],
        );
        await audit(
          tx,
          {
            actorId: b.checkedBy,
            action: 'compliance.check',
            entityType: 'compliance_check',
            entityId: inserted[0].id,
            details: { policyId: b.policyId, status },
          },
          meta,
        );
        return inserted[0];
      });
      await deps.cache.invalidate(req.timing, [deps.cache.key('api:compliance-report:{id}', b.policyId)]);
      await deps.cache.put(req.timing, deps.cache.key('compliance:{id}', row.id), 'complianceChecks', 'entity', {
        v: row.version,
        payload: row,
      });
      return created(reply, row);
    },
  );
  entityRead(
    app,
    deps,
    '/api/v1/compliance-checks',
    'compliance_checks',
    'compliance:{id}',
    'complianceChecks',
    'compliance check',
  );
}
