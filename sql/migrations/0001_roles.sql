-- sretl:run-as session
-- The three roles of least privilege. They are cluster-wide and may already exist (another
-- database on the same server, or a concurrent migrate), so each is created only if missing.
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['sretl_owner', 'sretl_writer', 'sretl_reader'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', r);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END;
    END IF;
  END LOOP;
END
$$;

-- The login that runs migrations acts as the owner; components act as writer or reader
-- (see docs/architecture.md, "Database roles").
GRANT sretl_owner TO CURRENT_USER;
GRANT sretl_writer TO CURRENT_USER;
GRANT sretl_reader TO CURRENT_USER;
-- a writer reads what it writes (ON CONFLICT, RETURNING, offsets)
GRANT sretl_reader TO sretl_writer;

GRANT USAGE, CREATE ON SCHEMA public TO sretl_owner;
GRANT USAGE ON SCHEMA public TO sretl_writer, sretl_reader;

DO $$
BEGIN
  -- staging tables for COPY are temporary tables
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO sretl_writer, sretl_owner', current_database());
END
$$;

-- Nothing the owner creates is visible to PUBLIC; readers see every table.
ALTER DEFAULT PRIVILEGES FOR ROLE sretl_owner IN SCHEMA public REVOKE ALL ON TABLES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE sretl_owner IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE sretl_owner IN SCHEMA public GRANT SELECT ON TABLES TO sretl_reader;
