-- acgs-load governance schema, part 1: tables only.
-- Primary keys, foreign keys and indexes come in 002, after bulk loading, so that
-- COPY writes heap pages only (the PostgreSQL manual, "Populating a Database":
-- "Remove Indexes", "Remove Foreign Key Constraints").
--
-- Conventions (described for the checkers in seed/schema-description.ts):
--  * every mutable row has version (starts at 1, +1 per update) and updated_at;
--  * rows written during a run carry run_id and client_request_id, so a checker
--    can match what a client was told with what the database holds;
--  * ids are bigint, assigned by the seeder (sequences are set after loading),
--    except session and token ids, which are opaque text.

CREATE TABLE acgs_meta (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id           bigint NOT NULL,
  username     text NOT NULL,
  email        text NOT NULL,
  display_name text NOT NULL,
  role         text NOT NULL CHECK (role IN ('citizen', 'delegate', 'reviewer', 'admin')),
  is_active    boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  version      integer NOT NULL DEFAULT 1
);

CREATE TABLE user_sessions (
  id                text NOT NULL,
  user_id           bigint NOT NULL,
  user_agent        text NOT NULL,
  ip_address        inet NOT NULL,
  created_at        timestamptz NOT NULL,
  expires_at        timestamptz NOT NULL,
  revoked           boolean NOT NULL DEFAULT false,
  updated_at        timestamptz NOT NULL,
  version           integer NOT NULL DEFAULT 1,
  run_id            text,
  client_request_id text
);

CREATE TABLE auth_tokens (
  id                text NOT NULL,
  user_id           bigint NOT NULL,
  session_id        text NOT NULL,
  scopes            jsonb NOT NULL,
  issued_at         timestamptz NOT NULL,
  expires_at        timestamptz NOT NULL,
  revoked           boolean NOT NULL DEFAULT false,
  updated_at        timestamptz NOT NULL,
  version           integer NOT NULL DEFAULT 1
);

CREATE TABLE principles (
  id          bigint NOT NULL,
  code        text NOT NULL,
  title       text NOT NULL,
  body        text NOT NULL,
  category    text NOT NULL,
  priority    integer NOT NULL,
  weight      numeric(6,3) NOT NULL,
  is_active   boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  version     integer NOT NULL DEFAULT 1
);

CREATE TABLE policy_templates (
  id            bigint NOT NULL,
  name          text NOT NULL,
  description   text NOT NULL,
  category      text NOT NULL,
  default_rules jsonb NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  version       integer NOT NULL DEFAULT 1
);

CREATE TABLE policies (
  id                bigint NOT NULL,
  template_id       bigint NOT NULL,
  owner_id          bigint NOT NULL,
  name              text NOT NULL,
  description       text NOT NULL,
  status            text NOT NULL CHECK (status IN ('draft', 'active', 'suspended', 'retired')),
  enforcement_level text NOT NULL CHECK (enforcement_level IN ('advisory', 'mandatory', 'critical')),
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  version           integer NOT NULL DEFAULT 1
);

-- One row per accepted update of a policy; policies.version = 1 + count(*).
CREATE TABLE policy_updates (
  id                bigint NOT NULL,
  policy_id         bigint NOT NULL,
  updated_by        bigint NOT NULL,
  from_version      integer NOT NULL,
  to_version        integer NOT NULL,
  changes           jsonb NOT NULL,
  created_at        timestamptz NOT NULL,
  run_id            text,
  client_request_id text
);

CREATE TABLE policy_principles (
  policy_id    bigint NOT NULL,
  principle_id bigint NOT NULL,
  relevance    numeric(4,3) NOT NULL
);

-- source_principle_ids: JSONB array of principles.id that NO foreign key enforces.
CREATE TABLE policy_rules (
  id                   bigint NOT NULL,
  policy_id            bigint NOT NULL,
  rule_order           integer NOT NULL,
  name                 text NOT NULL,
  condition            jsonb NOT NULL,
  effect               text NOT NULL CHECK (effect IN ('allow', 'deny', 'require_review')),
  source_principle_ids jsonb NOT NULL,
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  version              integer NOT NULL DEFAULT 1
);

-- votes_for/against/abstain are denormalised counters: they must equal the
-- amendment_votes rows by choice (kept by the vote transaction).
CREATE TABLE amendments (
  id             bigint NOT NULL,
  principle_id   bigint NOT NULL,
  proposer_id    bigint NOT NULL,
  title          text NOT NULL,
  rationale      text NOT NULL,
  status         text NOT NULL CHECK (status IN ('open', 'passed', 'rejected', 'withdrawn')),
  votes_for      integer NOT NULL DEFAULT 0,
  votes_against  integer NOT NULL DEFAULT 0,
  votes_abstain  integer NOT NULL DEFAULT 0,
  opens_at       timestamptz NOT NULL,
  closes_at      timestamptz NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  version        integer NOT NULL DEFAULT 1
);

CREATE TABLE amendment_votes (
  id                bigint NOT NULL,
  amendment_id      bigint NOT NULL,
  voter_id          bigint NOT NULL,
  choice            text NOT NULL CHECK (choice IN ('for', 'against', 'abstain')),
  created_at        timestamptz NOT NULL,
  run_id            text,
  client_request_id text
);

CREATE TABLE amendment_comments (
  id           bigint NOT NULL,
  amendment_id bigint NOT NULL,
  author_id    bigint NOT NULL,
  body         text NOT NULL,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  version      integer NOT NULL DEFAULT 1
);

CREATE TABLE policy_decisions (
  id                bigint NOT NULL,
  policy_id         bigint NOT NULL,
  subject_id        bigint NOT NULL,
  action            text NOT NULL,
  resource          text NOT NULL,
  decision          text NOT NULL CHECK (decision IN ('allow', 'deny', 'require_review')),
  reasons           jsonb NOT NULL,
  evaluated_rules   integer NOT NULL,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  version           integer NOT NULL DEFAULT 1,
  run_id            text,
  client_request_id text
);

CREATE TABLE compliance_checks (
  id                bigint NOT NULL,
  policy_id         bigint NOT NULL,
  checked_by        bigint NOT NULL,
  status            text NOT NULL CHECK (status IN ('pass', 'warn', 'fail')),
  score             numeric(5,2) NOT NULL,
  findings          jsonb NOT NULL,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  version           integer NOT NULL DEFAULT 1,
  run_id            text,
  client_request_id text
);

-- principle_ids: JSONB array of principles.id that NO foreign key enforces.
CREATE TABLE synthesis_results (
  id                bigint NOT NULL,
  policy_id         bigint NOT NULL,
  requested_by      bigint NOT NULL,
  principle_ids     jsonb NOT NULL,
  input_hash        text NOT NULL,
  output            jsonb NOT NULL,
  model             text NOT NULL,
  confidence        numeric(4,3) NOT NULL,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  version           integer NOT NULL DEFAULT 1,
  run_id            text,
  client_request_id text
);

-- Append-only; the largest table. entity_id refers to the table named by
-- entity_type; no foreign key can express that, the checkers verify it.
CREATE TABLE audit_log (
  id                bigint NOT NULL,
  occurred_at       timestamptz NOT NULL,
  actor_id          bigint NOT NULL,
  action            text NOT NULL,
  entity_type       text NOT NULL CHECK (entity_type IN ('principle', 'policy', 'amendment', 'policy_decision', 'compliance_check', 'synthesis_result', 'user')),
  entity_id         bigint NOT NULL,
  details           jsonb NOT NULL,
  run_id            text,
  client_request_id text
);

CREATE TABLE static_config (
  key         text NOT NULL,
  value       jsonb NOT NULL,
  description text NOT NULL,
  updated_at  timestamptz NOT NULL,
  version     integer NOT NULL DEFAULT 1
);
