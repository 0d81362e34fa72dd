/** Generators of principles, policy templates, policies and their updates, links and rules. */
import { DAY } from '../context.ts';
import { copyEscape, copyJson, copyLine, fixed, isoTime, NULL } from '../copy-text.ts';
import { between, cumulative, pick, pickWeighted, unit } from '../hash.ts';
import { locate, zipfPick } from '../zipf.ts';
import { linkedPrinciple, policyFacts, principlesOfPolicy } from './facts.ts';
import type { TableGenerator } from './types.ts';

export const CATEGORIES = [
  'transparency',
  'accountability',
  'fairness',
  'privacy',
  'safety',
  'autonomy',
  'beneficence',
  'sustainability',
];
export const ACTIONS = ['read', 'write', 'delete', 'approve', 'publish', 'export', 'share', 'deploy'];
export const RESOURCE_TYPES = ['document', 'dataset', 'model', 'service', 'report', 'record'];
const STATUSES = ['active', 'draft', 'suspended', 'retired'];
const STATUS_CUM = cumulative([70, 10, 10, 10]);
const LEVELS = ['advisory', 'mandatory', 'critical'];
const LEVEL_CUM = cumulative([50, 35, 15]);
const EFFECTS = ['allow', 'deny', 'require_review'];
const EFFECT_CUM = cumulative([55, 30, 15]);
const ROLES = ['citizen', 'delegate', 'reviewer', 'admin'];
const FIELDS = ['name', 'description', 'status', 'enforcement_level'];

export const principles: TableGenerator = {
  table: 'principles',
  columns: [
    'id',
    'code',
    'title',
    'body',
    'category',
    'priority',
    'weight',
    'is_active',
    'created_at',
    'updated_at',
    'version',
  ],
  count: (ctx) => ctx.n.principles,
  prepare(ctx) {
    const h = (c: string) => ctx.h('principles', c);
    const [hTitle, hBody, hCat, hPrio, hWeight, hActive, hCreated, hUpdated] = [
      'title',
      'body',
      'category',
      'priority',
      'weight',
      'is_active',
      'created_at',
      'updated_at',
    ].map(h);
    const { catchPhrases, paragraphs } = ctx.copy;
    return (i) => {
      const id = i + 1;
      const created = ctx.refMs - between(hCreated(id), 800 * DAY, 1100 * DAY);
      const code = 'CP-' + String(id).padStart(5, '0');
      const weight = fixed(between(hWeight(id), 100, 9999), 3);
      const active = unit(hActive(id)) < 0.95 ? 't' : 'f';
      const updated = isoTime(created + between(hUpdated(id), 0, 400 * DAY));
      return `${id}\t${code}\t${pick(hTitle(id), catchPhrases)}\t${pick(hBody(id), paragraphs)}\t${pick(hCat(id), CATEGORIES)}\t${between(hPrio(id), 1, 10)}\t${weight}\t${active}\t${isoTime(created)}\t${updated}\t1`;
    };
  },
};

export const policyTemplates: TableGenerator = {
  table: 'policy_templates',
  columns: ['id', 'name', 'description', 'category', 'default_rules', 'created_at', 'updated_at', 'version'],
  count: (ctx) => ctx.n.policy_templates,
  prepare(ctx) {
    const [hName, hDesc, hCat, hRules, hCreated] = [
      'name',
      'description',
      'category',
      'default_rules',
      'created_at',
    ].map((c) => ctx.h('policy_templates', c));
    return (i) => {
      const id = i + 1;
      const n = 1 + (hRules(id) % 4);
      const rules = [];
      for (let k = 0; k < n; k++) {
        rules.push({
          effect: pickWeighted(hRules(id, 10 + k), EFFECTS, EFFECT_CUM),
          action: pick(hRules(id, 20 + k), ACTIONS),
        });
      }
      const created = ctx.refMs - between(hCreated(id), 750 * DAY, 1000 * DAY);
      return copyLine([
        String(id),
        copyEscape(pick(hName(id), ctx.pools.catchPhrases) + ' template'),
        copyEscape(pick(hDesc(id), ctx.pools.sentences)),
        pick(hCat(id), CATEGORIES),
        copyJson(rules),
        isoTime(created),
        isoTime(created),
        '1',
      ]);
    };
  },
};

export const policies: TableGenerator = {
  table: 'policies',
  columns: [
    'id',
    'template_id',
    'owner_id',
    'name',
    'description',
    'status',
    'enforcement_level',
    'created_at',
    'updated_at',
    'version',
  ],
  count: (ctx) => ctx.n.policies,
  prepare(ctx) {
    const [hTpl, hOwner, hName, hDesc, hStatus, hLevel] = [
      'template_id',
      'owner_id',
      'name',
      'description',
      'status',
      'enforcement_level',
    ].map((c) => ctx.h('policies', c));
    const { buzzPhrases, paragraphs } = ctx.copy;
    return (i) => {
      const id = i + 1;
      const f = policyFacts(ctx, id);
      const status = pickWeighted(hStatus(id), STATUSES, STATUS_CUM);
      const level = pickWeighted(hLevel(id), LEVELS, LEVEL_CUM);
      // version = 1 + count(policy_updates)
      return `${id}\t${zipfPick(hTpl(id), ctx.n.policy_templates)}\t${zipfPick(hOwner(id), ctx.n.users)}\t${pick(hName(id), buzzPhrases)}\t${pick(hDesc(id), paragraphs)}\t${status}\t${level}\t${isoTime(f.createdMs)}\t${isoTime(f.lastUpdateMs)}\t${1 + f.updates}`;
    };
  },
};

/** Update k of policy p takes it from version k+1 to k+2. */
export const policyUpdates: TableGenerator = {
  table: 'policy_updates',
  columns: [
    'id',
    'policy_id',
    'updated_by',
    'from_version',
    'to_version',
    'changes',
    'created_at',
    'run_id',
    'client_request_id',
  ],
  count: (ctx) => ctx.policyUpdates.total,
  prepare(ctx) {
    const [hBy, hChanges] = ['updated_by', 'changes'].map((c) => ctx.h('policy_updates', c));
    const sentences = ctx.json.sentences;
    return (i) => {
      const { parent: p, k } = locate(ctx.policyUpdates, i);
      const f = policyFacts(ctx, p);
      const id = i + 1;
      // JSON.stringify of {fields: [field], note}, built as text.
      const changes =
        '{"fields":["' + pick(hChanges(id), FIELDS) + '"],"note":"' + pick(hChanges(id, 1), sentences) + '"}';
      const at = isoTime(f.createdMs + (k + 1) * f.step);
      return `${id}\t${p}\t${zipfPick(hBy(id), ctx.n.users)}\t${k + 1}\t${k + 2}\t${changes}\t${at}\t${NULL}\t${NULL}`;
    };
  },
};

export const policyPrinciples: TableGenerator = {
  table: 'policy_principles',
  columns: ['policy_id', 'principle_id', 'relevance'],
  count: (ctx) => ctx.policyLinks.total,
  prepare(ctx) {
    const hRel = ctx.h('policy_principles', 'relevance');
    return (i) => {
      const { parent: p, k } = locate(ctx.policyLinks, i);
      return `${p}\t${linkedPrinciple(ctx, p, k)}\t${fixed(between(hRel(i), 100, 999), 3)}`;
    };
  },
};

export const policyRules: TableGenerator = {
  table: 'policy_rules',
  columns: [
    'id',
    'policy_id',
    'rule_order',
    'name',
    'condition',
    'effect',
    'source_principle_ids',
    'created_at',
    'updated_at',
    'version',
  ],
  count: (ctx) => ctx.rules.total,
  prepare(ctx) {
    const [hName, hCond, hEffect, hSrc] = ['name', 'condition', 'effect', 'source_principle_ids'].map((c) =>
      ctx.h('policy_rules', c),
    );
    const { verbs, nouns } = ctx.copy;
    return (i) => {
      const { parent: p, k } = locate(ctx.rules, i);
      const id = i + 1;
      const f = policyFacts(ctx, p);
      // JSON.stringify of {action, resource, minRole}, built as text.
      const condition =
        '{"action":"' +
        pick(hCond(id, 0), ACTIONS) +
        '","resource":"' +
        pick(hCond(id, 1), RESOURCE_TYPES) +
        '","minRole":"' +
        pick(hCond(id, 2), ROLES) +
        '"}';
      const name = pick(hName(id, 0), verbs) + ' ' + pick(hName(id, 1), nouns);
      // JSONB ids of principles this policy links (no FK; checkers verify).
      const sources = '[' + principlesOfPolicy(ctx, p, hSrc(id), 3).join(',') + ']';
      const at = isoTime(f.createdMs);
      return `${id}\t${p}\t${k + 1}\t${name}\t${condition}\t${pickWeighted(hEffect(id), EFFECTS, EFFECT_CUM)}\t${sources}\t${at}\t${at}\t1`;
    };
  },
};
