-- Every operator action: who, as what role, when, from where, what changed, and the outcome.
CREATE TABLE audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  role        text NOT NULL,
  action      text NOT NULL,
  target      text NOT NULL,
  source_ip   inet,
  user_agent  text,
  before      jsonb,
  after       jsonb,
  result      text NOT NULL CHECK (result IN ('ok', 'refused', 'failed')),
  detail      jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

-- the audit trail is append-only for everyone but its owner
GRANT INSERT ON audit_log TO sretl_writer;
