-- Token changes wake every instance (issue 10, "propagate revocation the way flags are
-- propagated"): any insert, update (revocation) or delete on api_tokens — from the API, the
-- CLI or plain SQL — notifies 'apprentice_tokens' with the schema name, and each service
-- LISTENs and re-reads its token cache at once (src/runtime/install-security.ts). On PGlite
-- (embedded, one process) nobody listens and the notification is dropped.
CREATE OR REPLACE FUNCTION api_tokens_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('apprentice_tokens', current_schema());
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS api_tokens_changed ON api_tokens;
CREATE TRIGGER api_tokens_changed AFTER INSERT OR UPDATE OR DELETE ON api_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION api_tokens_notify();
