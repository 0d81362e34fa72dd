/** Generators of policy decisions, compliance checks, synthesis results and the audit log. */
import { DAY, type GenContext } from '../context.ts';
import { fixed, isoTime, NULL } from '../copy-text.ts';
import { between, cumulative, hex, pick, pickWeighted } from '../hash.ts';
import { AUDIT_ENTITY_TABLES } from '../../schema/index.ts';
import { zipfPick } from '../zipf.ts';
import { entityCount, principlesOfPolicy } from './facts.ts';
import { ACTIONS, RESOURCE_TYPES } from './governance.ts';
import type { TableGenerator } from './types.ts';

/**
 * Time of row i of n spread over the `days` before the reference date, in id
 * order (ids grow with time, as with a sequence), with jitter inside a slot.
 */
function timeline(ctx: GenContext, days: number, n: number, i: number, h: number): number {
  const span = days * DAY;
  const slot = span / n;
  return Math.floor(ctx.refMs - span + i * slot + (h / 4294967296) * slot);
}

const DECISIONS = ['allow', 'deny', 'require_review'];
const DECISION_CUM = cumulative([70, 20, 10]);

export const policyDecisions: TableGenerator = {
  table: 'policy_decisions',
  columns: [
    'id',
    'policy_id',
    'subject_id',
    'action',
    'resource',
    'decision',
    'reasons',
    'evaluated_rules',
    'created_at',
    'updated_at',
    'version',
    'run_id',
    'client_request_id',
  ],
  count: (ctx) => ctx.n.policy_decisions,
  prepare(ctx) {
    const [hPol, hSub, hAct, hRes, hDec, hWhy, hTime] = [
      'policy_id',
      'subject_id',
      'action',
      'resource',
      'decision',
      'reasons',
      'created_at',
    ].map((c) => ctx.h('policy_decisions', c));
    const n = ctx.n.policy_decisions;
    const sentences = ctx.json.sentences;
    // Cells are concatenated into the line directly (no cell array, no JSON.stringify):
    // the bytes are those of copyLine([...]) with copyJson(reasons) (seed/generators.test.ts).
    return (i) => {
      const id = i + 1;
      const p = zipfPick(hPol(id), ctx.n.policies);
      const rules = ctx.rules.counts[p - 1];
      const decision = pickWeighted(hDec(id), DECISIONS, DECISION_CUM);
      const reasons = '["rule ' + (1 + (hWhy(id) % rules)) + ' matched: ' + pick(hWhy(id, 1), sentences) + '"]';
      const at = isoTime(timeline(ctx, 90, n, i, hTime(id)));
      const resource = pick(hRes(id), RESOURCE_TYPES) + '/' + (hRes(id, 1) % 100000);
      return `${id}\t${p}\t${zipfPick(hSub(id), ctx.n.users)}\t${pick(hAct(id), ACTIONS)}\t${resource}\t${decision}\t${reasons}\t${rules}\t${at}\t${at}\t1\t${NULL}\t${NULL}`;
    };
  },
};

const CHECK_STATUS = ['pass', 'warn', 'fail'];
const CHECK_CUM = cumulative([70, 20, 10]);
const SEVERITIES = ['low', 'medium', 'high'];

export const complianceChecks: TableGenerator = {
  table: 'compliance_checks',
  columns: [
    'id',
    'policy_id',
    'checked_by',
    'status',
    'score',
    'findings',
    'created_at',
    'updated_at',
    'version',
    'run_id',
    'client_request_id',
  ],
  count: (ctx) => ctx.n.compliance_checks,
  prepare(ctx) {
    const [hPol, hBy, hStatus, hScore, hFind, hTime] = [
      'policy_id',
      'checked_by',
      'status',
      'score',
      'findings',
      'created_at',
    ].map((c) => ctx.h('compliance_checks', c));
    const n = ctx.n.compliance_checks;
    const sentences = ctx.json.sentences;
    return (i) => {
      const id = i + 1;
      const status = pickWeighted(hStatus(id), CHECK_STATUS, CHECK_CUM);
      const [lo, hi] = status === 'pass' ? [8000, 10000] : status === 'warn' ? [5000, 7999] : [0, 4999];
      // JSON.stringify of [{code, severity, message}, ...], built as text.
      let findings = '[';
      const nf = status === 'pass' ? hFind(id) % 2 : 1 + (hFind(id) % 3);
      for (let k = 0; k < nf; k++) {
        if (k > 0) findings += ',';
        findings +=
          '{"code":"F' +
          (100 + (hFind(id, 10 + k) % 900)) +
          '","severity":"' +
          pick(hFind(id, 20 + k), SEVERITIES) +
          '","message":"' +
          pick(hFind(id, 30 + k), sentences) +
          '"}';
      }
      findings += ']';
      const at = isoTime(timeline(ctx, 180, n, i, hTime(id)));
      const score = fixed(between(hScore(id), lo, hi), 2);
      return `${id}\t${zipfPick(hPol(id), ctx.n.policies)}\t${zipfPick(hBy(id), ctx.n.users)}\t${status}\t${score}\t${findings}\t${at}\t${at}\t1\t${NULL}\t${NULL}`;
    };
  },
};

const MODELS = ['acgs-synth-1', 'acgs-synth-2', 'constitutional-llm-7b', 'constitutional-llm-70b'];

export const synthesisResults: TableGenerator = {
  table: 'synthesis_results',
  columns: [
    'id',
    'policy_id',
    'requested_by',
    'principle_ids',
    'input_hash',
    'output',
    'model',
    'confidence',
    'created_at',
    'updated_at',
    'version',
    'run_id',
    'client_request_id',
  ],
  count: (ctx) => ctx.n.synthesis_results,
  prepare(ctx) {
    const [hPol, hBy, hPrin, hInput, hOut, hModel, hConf, hTime] = [
      'policy_id',
      'requested_by',
      'principle_ids',
      'input_hash',
      'output',
      'model',
      'confidence',
      'created_at',
    ].map((c) => ctx.h('synthesis_results', c));
    const n = ctx.n.synthesis_results;
    const { sentences, buzzPhrases } = ctx.json;
    return (i) => {
      const id = i + 1;
      const p = zipfPick(hPol(id), ctx.n.policies);
      // JSON.stringify of {summary, recommendations: [a, b]}, built as text.
      const output =
        '{"summary":"' +
        pick(hOut(id), sentences) +
        '","recommendations":["' +
        pick(hOut(id, 1), buzzPhrases) +
        '","' +
        pick(hOut(id, 2), buzzPhrases) +
        '"]}';
      const at = isoTime(timeline(ctx, 180, n, i, hTime(id)));
      const principleIds = '[' + principlesOfPolicy(ctx, p, hPrin(id), 4).join(',') + ']';
      const confidence = fixed(between(hConf(id), 500, 999), 3);
      return `${id}\t${p}\t${zipfPick(hBy(id), ctx.n.users)}\t${principleIds}\t${hex(hInput, id, 32)}\t${output}\t${pick(hModel(id), MODELS)}\t${confidence}\t${at}\t${at}\t1\t${NULL}\t${NULL}`;
    };
  },
};

const ENTITY_TYPES = Object.keys(AUDIT_ENTITY_TABLES);
const ENTITY_WEIGHTS: Record<string, number> = {
  principle: 10,
  policy: 20,
  amendment: 15,
  policy_decision: 30,
  compliance_check: 10,
  synthesis_result: 5,
  user: 10,
};
const ENTITY_CUM = cumulative(ENTITY_TYPES.map((t) => ENTITY_WEIGHTS[t] ?? 5));
const TYPE_INDEX = ENTITY_TYPES.map((_, k) => k);
const AUDIT_ACTIONS: Record<string, string[]> = {
  principle: ['view', 'update', 'cite'],
  policy: ['view', 'update', 'activate', 'suspend'],
  amendment: ['view', 'vote', 'comment', 'propose'],
  policy_decision: ['evaluate', 'view', 'appeal'],
  compliance_check: ['run', 'view', 'acknowledge'],
  synthesis_result: ['request', 'view', 'accept'],
  user: ['login', 'logout', 'update_profile'],
};

/** Append-only, the largest table: who did what to which entity, in time order. */
export const auditLog: TableGenerator = {
  table: 'audit_log',
  columns: [
    'id',
    'occurred_at',
    'actor_id',
    'action',
    'entity_type',
    'entity_id',
    'details',
    'run_id',
    'client_request_id',
  ],
  count: (ctx) => ctx.n.audit_log,
  prepare(ctx) {
    const [hActor, hType, hEntity, hAction, hDetails, hTime] = [
      'actor_id',
      'entity_type',
      'entity_id',
      'action',
      'details',
      'occurred_at',
    ].map((c) => ctx.h('audit_log', c));
    const n = ctx.n.audit_log;
    // Per entity type (by index): its actions and its table's size.
    const actions = ENTITY_TYPES.map((t) => AUDIT_ACTIONS[t]);
    const counts = ENTITY_TYPES.map((t) => entityCount(ctx, AUDIT_ENTITY_TABLES[t]));
    return (i) => {
      const id = i + 1;
      const t = pickWeighted(hType(id), TYPE_INDEX, ENTITY_CUM);
      const d = hDetails(id);
      // Digits, dots, quotes and spaces only: nothing to escape for COPY.
      const details =
        '{"ip": "10.' +
        ((d >>> 16) & 255) +
        '.' +
        ((d >>> 8) & 255) +
        '.' +
        (1 + (d & 127)) +
        '", "source": "' +
        (d % 3 === 0 ? 'api' : d % 3 === 1 ? 'web' : 'batch') +
        '"}';
      const at = isoTime(timeline(ctx, 365, n, i, hTime(id)));
      return `${id}\t${at}\t${zipfPick(hActor(id), ctx.n.users)}\t${pick(hAction(id), actions[t])}\t${ENTITY_TYPES[t]}\t${zipfPick(hEntity(id), counts[t])}\t${details}\t${NULL}\t${NULL}`;
    };
  },
};
