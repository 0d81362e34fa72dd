-- acgs-load governance schema, part 2: keys, constraints and indexes.
-- Applied after the bulk load. Foreign keys are added NOT VALID and validated
-- afterwards, which checks existing rows without blocking writers for long.

ALTER TABLE users              ADD PRIMARY KEY (id);
ALTER TABLE user_sessions      ADD PRIMARY KEY (id);
ALTER TABLE auth_tokens        ADD PRIMARY KEY (id);
ALTER TABLE principles         ADD PRIMARY KEY (id);
ALTER TABLE policy_templates   ADD PRIMARY KEY (id);
ALTER TABLE policies           ADD PRIMARY KEY (id);
ALTER TABLE policy_updates     ADD PRIMARY KEY (id);
ALTER TABLE policy_principles  ADD PRIMARY KEY (policy_id, principle_id);
ALTER TABLE policy_rules       ADD PRIMARY KEY (id);
ALTER TABLE amendments         ADD PRIMARY KEY (id);
ALTER TABLE amendment_votes    ADD PRIMARY KEY (id);
ALTER TABLE amendment_comments ADD PRIMARY KEY (id);
ALTER TABLE policy_decisions   ADD PRIMARY KEY (id);
ALTER TABLE compliance_checks  ADD PRIMARY KEY (id);
ALTER TABLE synthesis_results  ADD PRIMARY KEY (id);
ALTER TABLE audit_log          ADD PRIMARY KEY (id);
ALTER TABLE static_config      ADD PRIMARY KEY (key);

ALTER TABLE users      ADD CONSTRAINT users_username_key UNIQUE (username);
ALTER TABLE principles ADD CONSTRAINT principles_code_key UNIQUE (code);
-- One vote per voter and amendment.
ALTER TABLE amendment_votes ADD CONSTRAINT amendment_votes_one_per_voter UNIQUE (amendment_id, voter_id);

-- Sequences for rows the target inserts during a run; set past the seeded ids by the loader.
CREATE SEQUENCE users_id_seq OWNED BY users.id;
CREATE SEQUENCE policy_updates_id_seq OWNED BY policy_updates.id;
CREATE SEQUENCE amendment_votes_id_seq OWNED BY amendment_votes.id;
CREATE SEQUENCE amendment_comments_id_seq OWNED BY amendment_comments.id;
CREATE SEQUENCE policy_decisions_id_seq OWNED BY policy_decisions.id;
CREATE SEQUENCE compliance_checks_id_seq OWNED BY compliance_checks.id;
CREATE SEQUENCE synthesis_results_id_seq OWNED BY synthesis_results.id;
CREATE SEQUENCE audit_log_id_seq OWNED BY audit_log.id;
ALTER TABLE users              ALTER COLUMN id SET DEFAULT nextval('users_id_seq');
ALTER TABLE policy_updates     ALTER COLUMN id SET DEFAULT nextval('policy_updates_id_seq');
ALTER TABLE amendment_votes    ALTER COLUMN id SET DEFAULT nextval('amendment_votes_id_seq');
ALTER TABLE amendment_comments ALTER COLUMN id SET DEFAULT nextval('amendment_comments_id_seq');
ALTER TABLE policy_decisions   ALTER COLUMN id SET DEFAULT nextval('policy_decisions_id_seq');
ALTER TABLE compliance_checks  ALTER COLUMN id SET DEFAULT nextval('compliance_checks_id_seq');
ALTER TABLE synthesis_results  ALTER COLUMN id SET DEFAULT nextval('synthesis_results_id_seq');
ALTER TABLE audit_log          ALTER COLUMN id SET DEFAULT nextval('audit_log_id_seq');
ALTER TABLE users              ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE amendment_votes    ALTER COLUMN created_at SET DEFAULT now();
ALTER TABLE audit_log          ALTER COLUMN occurred_at SET DEFAULT now();

ALTER TABLE user_sessions      ADD CONSTRAINT user_sessions_user_fk      FOREIGN KEY (user_id)      REFERENCES users(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE auth_tokens        ADD CONSTRAINT auth_tokens_user_fk        FOREIGN KEY (user_id)      REFERENCES users(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE auth_tokens        ADD CONSTRAINT auth_tokens_session_fk     FOREIGN KEY (session_id)   REFERENCES user_sessions(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE policies           ADD CONSTRAINT policies_template_fk       FOREIGN KEY (template_id)  REFERENCES policy_templates(id) NOT VALID;
ALTER TABLE policies           ADD CONSTRAINT policies_owner_fk          FOREIGN KEY (owner_id)     REFERENCES users(id) NOT VALID;
ALTER TABLE policy_updates     ADD CONSTRAINT policy_updates_policy_fk   FOREIGN KEY (policy_id)    REFERENCES policies(id) NOT VALID;
ALTER TABLE policy_updates     ADD CONSTRAINT policy_updates_user_fk     FOREIGN KEY (updated_by)   REFERENCES users(id) NOT VALID;
ALTER TABLE policy_principles  ADD CONSTRAINT policy_principles_policy_fk    FOREIGN KEY (policy_id)    REFERENCES policies(id) NOT VALID;
ALTER TABLE policy_principles  ADD CONSTRAINT policy_principles_principle_fk FOREIGN KEY (principle_id) REFERENCES principles(id) NOT VALID;
ALTER TABLE policy_rules       ADD CONSTRAINT policy_rules_policy_fk     FOREIGN KEY (policy_id)    REFERENCES policies(id) NOT VALID;
ALTER TABLE amendments         ADD CONSTRAINT amendments_principle_fk    FOREIGN KEY (principle_id) REFERENCES principles(id) NOT VALID;
ALTER TABLE amendments         ADD CONSTRAINT amendments_proposer_fk     FOREIGN KEY (proposer_id)  REFERENCES users(id) NOT VALID;
ALTER TABLE amendment_votes    ADD CONSTRAINT amendment_votes_amendment_fk FOREIGN KEY (amendment_id) REFERENCES amendments(id) NOT VALID;
ALTER TABLE amendment_votes    ADD CONSTRAINT amendment_votes_voter_fk   FOREIGN KEY (voter_id)     REFERENCES users(id) NOT VALID;
ALTER TABLE amendment_comments ADD CONSTRAINT amendment_comments_amendment_fk FOREIGN KEY (amendment_id) REFERENCES amendments(id) NOT VALID;
ALTER TABLE amendment_comments ADD CONSTRAINT amendment_comments_author_fk    FOREIGN KEY (author_id)    REFERENCES users(id) NOT VALID;
ALTER TABLE policy_decisions   ADD CONSTRAINT policy_decisions_policy_fk  FOREIGN KEY (policy_id)   REFERENCES policies(id) NOT VALID;
ALTER TABLE policy_decisions   ADD CONSTRAINT policy_decisions_subject_fk FOREIGN KEY (subject_id)  REFERENCES users(id) NOT VALID;
ALTER TABLE compliance_checks  ADD CONSTRAINT compliance_checks_policy_fk FOREIGN KEY (policy_id)   REFERENCES policies(id) NOT VALID;
ALTER TABLE compliance_checks  ADD CONSTRAINT compliance_checks_user_fk   FOREIGN KEY (checked_by)  REFERENCES users(id) NOT VALID;
ALTER TABLE synthesis_results  ADD CONSTRAINT synthesis_results_policy_fk FOREIGN KEY (policy_id)   REFERENCES policies(id) NOT VALID;
ALTER TABLE synthesis_results  ADD CONSTRAINT synthesis_results_user_fk   FOREIGN KEY (requested_by) REFERENCES users(id) NOT VALID;
ALTER TABLE audit_log          ADD CONSTRAINT audit_log_actor_fk          FOREIGN KEY (actor_id)    REFERENCES users(id) NOT VALID;

-- Indexes for the query shapes the report times and for the foreign keys.
CREATE INDEX user_sessions_user_idx        ON user_sessions (user_id);
CREATE INDEX auth_tokens_user_idx          ON auth_tokens (user_id);
CREATE INDEX auth_tokens_session_idx       ON auth_tokens (session_id);
CREATE INDEX principles_category_idx       ON principles (category);
CREATE INDEX policies_template_idx         ON policies (template_id);
CREATE INDEX policies_owner_idx            ON policies (owner_id);
CREATE INDEX policy_updates_policy_idx     ON policy_updates (policy_id);
CREATE INDEX policy_principles_principle_idx ON policy_principles (principle_id);
CREATE INDEX policy_rules_policy_idx       ON policy_rules (policy_id, rule_order);
CREATE INDEX amendments_principle_idx      ON amendments (principle_id);
CREATE INDEX amendment_votes_voter_idx     ON amendment_votes (voter_id);
CREATE INDEX amendment_comments_amendment_idx ON amendment_comments (amendment_id);
CREATE INDEX policy_decisions_policy_idx   ON policy_decisions (policy_id, created_at);
CREATE INDEX policy_decisions_subject_idx  ON policy_decisions (subject_id);
CREATE INDEX compliance_checks_policy_idx  ON compliance_checks (policy_id, created_at);
CREATE INDEX synthesis_results_policy_idx  ON synthesis_results (policy_id);
-- Range scans of the audit log: by actor and time window, by entity, by time.
CREATE INDEX audit_log_actor_time_idx      ON audit_log (actor_id, occurred_at);
CREATE INDEX audit_log_entity_idx          ON audit_log (entity_type, entity_id);
CREATE INDEX audit_log_time_idx            ON audit_log (occurred_at);
-- Matching acknowledged writes of a run (concurrent access safety checker).
CREATE INDEX amendment_votes_run_idx    ON amendment_votes (run_id, client_request_id) WHERE run_id IS NOT NULL;
CREATE INDEX policy_updates_run_idx     ON policy_updates (run_id, client_request_id) WHERE run_id IS NOT NULL;
CREATE INDEX policy_decisions_run_idx   ON policy_decisions (run_id, client_request_id) WHERE run_id IS NOT NULL;
CREATE INDEX compliance_checks_run_idx  ON compliance_checks (run_id, client_request_id) WHERE run_id IS NOT NULL;
CREATE INDEX synthesis_results_run_idx  ON synthesis_results (run_id, client_request_id) WHERE run_id IS NOT NULL;
CREATE INDEX user_sessions_run_idx      ON user_sessions (run_id, client_request_id) WHERE run_id IS NOT NULL;
CREATE INDEX audit_log_run_idx          ON audit_log (run_id, client_request_id) WHERE run_id IS NOT NULL;

-- Validate the foreign keys against the loaded rows.
ALTER TABLE user_sessions      VALIDATE CONSTRAINT user_sessions_user_fk;
ALTER TABLE auth_tokens        VALIDATE CONSTRAINT auth_tokens_user_fk;
ALTER TABLE auth_tokens        VALIDATE CONSTRAINT auth_tokens_session_fk;
ALTER TABLE policies           VALIDATE CONSTRAINT policies_template_fk;
ALTER TABLE policies           VALIDATE CONSTRAINT policies_owner_fk;
ALTER TABLE policy_updates     VALIDATE CONSTRAINT policy_updates_policy_fk;
ALTER TABLE policy_updates     VALIDATE CONSTRAINT policy_updates_user_fk;
ALTER TABLE policy_principles  VALIDATE CONSTRAINT policy_principles_policy_fk;
ALTER TABLE policy_principles  VALIDATE CONSTRAINT policy_principles_principle_fk;
ALTER TABLE policy_rules       VALIDATE CONSTRAINT policy_rules_policy_fk;
ALTER TABLE amendments         VALIDATE CONSTRAINT amendments_principle_fk;
ALTER TABLE amendments         VALIDATE CONSTRAINT amendments_proposer_fk;
ALTER TABLE amendment_votes    VALIDATE CONSTRAINT amendment_votes_amendment_fk;
ALTER TABLE amendment_votes    VALIDATE CONSTRAINT amendment_votes_voter_fk;
ALTER TABLE amendment_comments VALIDATE CONSTRAINT amendment_comments_amendment_fk;
ALTER TABLE amendment_comments VALIDATE CONSTRAINT amendment_comments_author_fk;
ALTER TABLE policy_decisions   VALIDATE CONSTRAINT policy_decisions_policy_fk;
ALTER TABLE policy_decisions   VALIDATE CONSTRAINT policy_decisions_subject_fk;
ALTER TABLE compliance_checks  VALIDATE CONSTRAINT compliance_checks_policy_fk;
ALTER TABLE compliance_checks  VALIDATE CONSTRAINT compliance_checks_user_fk;
ALTER TABLE synthesis_results  VALIDATE CONSTRAINT synthesis_results_policy_fk;
ALTER TABLE synthesis_results  VALIDATE CONSTRAINT synthesis_results_user_fk;
ALTER TABLE audit_log          VALIDATE CONSTRAINT audit_log_actor_fk;
