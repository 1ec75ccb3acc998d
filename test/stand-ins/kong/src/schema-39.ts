// The database Kong 3.9.1's `kong migrations bootstrap` leaves behind (core subsystem), written from
// reading kong/db/migrations/core/000_base.lua .. 024_380_to_390.lua, the workspace operations of
// kong/db/migrations/operations/200_to_210.lua and the connector's schema_bootstrap
// (kong/db/strategies/postgres/connector.lua:778-837). On an empty database bootstrap runs every
// migration's `up` and then its teardown, so this is the state after both: e.g. 008's teardown drops
// `plugins.run_on` and `cluster_ca`, 009's resets the `ws_id` defaults, 016's drops `vaults_beta`
// after copying it to `sm_vaults`. Each table says which migrations shaped it (PARITY.md cites lines).
// Constraint and index names are the ones Postgres or the migrations give them.

const NOW0 = "(CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC')";
const NOW3 = "(CURRENT_TIMESTAMP(3) AT TIME ZONE 'UTC')";

/** 003_100_to_110: a GIN index on `tags` and the trigger that mirrors them into the `tags` table. */
function tagged(table: string, index = true): string {
  return `${index ? `CREATE INDEX ${table}_tags_idx ON ${table} USING GIN (tags);\n` : ''}CREATE TRIGGER ${table}_sync_tags_trigger AFTER INSERT OR UPDATE OF tags OR DELETE ON ${table}
  FOR EACH ROW EXECUTE PROCEDURE sync_tags();`;
}

/**
 * 009_200_to_210 (operations/200_to_210.lua ws_add_ws_id, ws_adjust_foreign_key, ws_unique_field):
 * `ws_id` references the workspace, `(id, ws_id)` is unique, names are unique per workspace, and
 * foreign keys carry the workspace.
 */
const wsUnique = (table: string) => `CONSTRAINT ${table}_id_ws_id_unique UNIQUE (id, ws_id)`;
const wsFk = (table: string, fk: string, ref: string, cascade = false) =>
  `CONSTRAINT ${table}_${fk}_id_fkey FOREIGN KEY (${fk}_id, ws_id) REFERENCES ${ref} (id, ws_id)${cascade ? ' ON DELETE CASCADE' : ''}`;

export const KONG_39_SCHEMA = `
-- connector.lua schema_bootstrap (:813-822) and setup_locks (:641-649)
CREATE TABLE IF NOT EXISTS schema_meta (
  key text, subsystem text, last_executed text, executed text[], pending text[],
  PRIMARY KEY (key, subsystem));
CREATE TABLE IF NOT EXISTS locks (key text PRIMARY KEY, owner text, ttl timestamp with time zone);
CREATE INDEX IF NOT EXISTS locks_ttl_idx ON locks (ttl);

-- 000_base: cluster_events (its delete_expired_cluster_events trigger is dropped by 006_130_to_140);
-- 004_110_to_120: the expire_at index; 019_320_to_330: the batch TTL trigger
CREATE TABLE cluster_events (
  id uuid PRIMARY KEY,
  node_id uuid NOT NULL,
  at timestamp with time zone NOT NULL,
  nbf timestamp with time zone,
  expire_at timestamp with time zone NOT NULL,
  channel text,
  data text);
CREATE INDEX cluster_events_at_idx ON cluster_events (at);
CREATE INDEX cluster_events_channel_idx ON cluster_events (channel);
CREATE INDEX cluster_events_expire_at_idx ON cluster_events (expire_at);

-- 003_100_to_110: tags, mirrored from every entity table by sync_tags()
CREATE TABLE tags (entity_id uuid PRIMARY KEY, entity_name text, tags text[]);
CREATE INDEX tags_entity_name_idx ON tags (entity_name);
CREATE INDEX tags_tags_idx ON tags USING GIN (tags);
CREATE FUNCTION sync_tags() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF (TG_OP = 'TRUNCATE') THEN
      DELETE FROM tags WHERE entity_name = TG_TABLE_NAME;
      RETURN NULL;
    ELSIF (TG_OP = 'DELETE') THEN
      DELETE FROM tags WHERE entity_id = OLD.id;
      RETURN OLD;
    ELSE
      INSERT INTO tags VALUES (NEW.id, TG_TABLE_NAME, NEW.tags)
        ON CONFLICT (entity_id) DO UPDATE SET tags = EXCLUDED.tags;
    END IF;
    RETURN NEW;
  END;
$$;

-- 019_320_to_330: rows past their TTL column are deleted, two at a time, after each insert
CREATE FUNCTION batch_delete_expired_rows() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    EXECUTE FORMAT('WITH rows AS (SELECT ctid FROM %s WHERE %s < CURRENT_TIMESTAMP AT TIME ZONE ''UTC'' ORDER BY %s LIMIT 2 FOR UPDATE SKIP LOCKED) DELETE FROM %s WHERE ctid IN (TABLE rows)', TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[0], TG_TABLE_NAME);
    RETURN NULL;
  END;
$$;
CREATE TRIGGER cluster_events_ttl_trigger AFTER INSERT ON cluster_events
  FOR EACH STATEMENT EXECUTE PROCEDURE batch_delete_expired_rows('expire_at');

-- 009_200_to_210: workspaces and the default one; 019_320_to_330: updated_at
CREATE TABLE workspaces (
  id uuid PRIMARY KEY,
  name text UNIQUE,
  comment text,
  created_at timestamp with time zone DEFAULT ${NOW0},
  meta jsonb,
  config jsonb,
  updated_at timestamp with time zone DEFAULT ${NOW0});
INSERT INTO workspaces (id, name) VALUES (gen_random_uuid(), 'default');

-- 000_base; 003_100_to_110 tags; 009_200_to_210 ws_id; 013_220_to_230 cert_alt, key_alt;
-- 019_320_to_330 updated_at
CREATE TABLE certificates (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT ${NOW0},
  cert text,
  key text,
  tags text[],
  ws_id uuid REFERENCES workspaces (id),
  cert_alt text,
  key_alt text,
  updated_at timestamp with time zone DEFAULT ${NOW0},
  ${wsUnique('certificates')});
${tagged('certificates')}

-- 000_base; 003 tags; 009 ws_id and the workspace-aware certificate key (name stays unique across
-- workspaces); 019 updated_at
CREATE TABLE snis (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT ${NOW0},
  name text NOT NULL UNIQUE,
  certificate_id uuid,
  tags text[],
  ws_id uuid REFERENCES workspaces (id),
  updated_at timestamp with time zone DEFAULT ${NOW0},
  ${wsUnique('snis')},
  ${wsFk('snis', 'certificate', 'certificates')});
CREATE INDEX snis_certificate_id_idx ON snis (certificate_id);
${tagged('snis')}

-- 005_120_to_130 (cert unique, dropped by 009 for cert_digest, made NOT NULL by 009's teardown);
-- 019 updated_at. Not workspaceable: no ws_id; its tags have a trigger but no index.
CREATE TABLE ca_certificates (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT ${NOW0},
  cert text NOT NULL,
  tags text[],
  cert_digest text NOT NULL UNIQUE,
  updated_at timestamp with time zone DEFAULT ${NOW0});
${tagged('ca_certificates', false)}

-- 000_base; 003 tags; 005 client_certificate_id; 009 tls_verify, tls_verify_depth, ca_certificates,
-- ws_id, name unique per workspace; 014_230_to_270 enabled
CREATE TABLE services (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone,
  updated_at timestamp with time zone,
  name text,
  retries bigint,
  protocol text,
  host text,
  port bigint,
  path text,
  connect_timeout bigint,
  write_timeout bigint,
  read_timeout bigint,
  tags text[],
  client_certificate_id uuid,
  tls_verify boolean,
  tls_verify_depth smallint,
  ca_certificates uuid[],
  ws_id uuid REFERENCES workspaces (id),
  enabled boolean DEFAULT true,
  ${wsUnique('services')},
  ${wsFk('services', 'client_certificate', 'certificates')},
  CONSTRAINT services_ws_id_name_unique UNIQUE (ws_id, name));
CREATE INDEX services_fkey_client_certificate ON services (client_certificate_id);
${tagged('services')}

-- 000_base; 003 tags; 004 https_redirect_status_code; 005 headers; 007/008 path_handling (default
-- v0); 009 ws_id, service key per workspace, name unique per workspace; 012 request/response
-- buffering; 016 expression, priority
CREATE TABLE routes (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone,
  updated_at timestamp with time zone,
  name text,
  service_id uuid,
  protocols text[],
  methods text[],
  hosts text[],
  paths text[],
  snis text[],
  sources jsonb[],
  destinations jsonb[],
  regex_priority bigint,
  strip_path boolean,
  preserve_host boolean,
  tags text[],
  https_redirect_status_code integer,
  headers jsonb,
  path_handling text DEFAULT 'v0',
  ws_id uuid REFERENCES workspaces (id),
  request_buffering boolean,
  response_buffering boolean,
  expression text,
  priority bigint,
  ${wsUnique('routes')},
  ${wsFk('routes', 'service', 'services')},
  CONSTRAINT routes_ws_id_name_unique UNIQUE (ws_id, name));
CREATE INDEX routes_service_id_idx ON routes (service_id);
${tagged('routes')}

-- 000_base; 003 tags; 009 ws_id, username and custom_id unique per workspace; 019 updated_at
CREATE TABLE consumers (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT ${NOW0},
  username text,
  custom_id text,
  tags text[],
  ws_id uuid REFERENCES workspaces (id),
  updated_at timestamp with time zone DEFAULT ${NOW0},
  ${wsUnique('consumers')},
  CONSTRAINT consumers_ws_id_username_unique UNIQUE (ws_id, username),
  CONSTRAINT consumers_ws_id_custom_id_unique UNIQUE (ws_id, custom_id));
CREATE INDEX consumers_username_idx ON consumers (lower(username));
${tagged('consumers')}

-- 000_base (run_on dropped by 008's teardown); 003 protocols, tags; 009 ws_id and workspace-aware
-- keys; 018_310_to_320 instance_name unique per workspace; 019 updated_at
CREATE TABLE plugins (
  id uuid UNIQUE,
  created_at timestamp with time zone DEFAULT ${NOW0},
  name text NOT NULL,
  consumer_id uuid,
  service_id uuid,
  route_id uuid,
  config jsonb NOT NULL,
  enabled boolean NOT NULL,
  cache_key text UNIQUE,
  protocols text[],
  tags text[],
  ws_id uuid REFERENCES workspaces (id),
  instance_name text,
  updated_at timestamp with time zone DEFAULT ${NOW0},
  PRIMARY KEY (id),
  ${wsUnique('plugins')},
  ${wsFk('plugins', 'route', 'routes', true)},
  ${wsFk('plugins', 'service', 'services', true)},
  ${wsFk('plugins', 'consumer', 'consumers', true)},
  CONSTRAINT plugins_ws_id_instance_name_unique UNIQUE (ws_id, instance_name));
CREATE INDEX plugins_name_idx ON plugins (name);
CREATE INDEX plugins_consumer_id_idx ON plugins (consumer_id);
CREATE INDEX plugins_service_id_idx ON plugins (service_id);
CREATE INDEX plugins_route_id_idx ON plugins (route_id);
${tagged('plugins')}

-- 000_base; 003 tags; 005 algorithm; 006 host_header; 009 client_certificate_id, ws_id, name unique
-- per workspace; 016 hash_*_query_arg, hash_*_uri_capture; 017 use_srv_name; 019 updated_at
CREATE TABLE upstreams (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT ${NOW3},
  name text,
  hash_on text,
  hash_fallback text,
  hash_on_header text,
  hash_fallback_header text,
  hash_on_cookie text,
  hash_on_cookie_path text,
  slots integer NOT NULL,
  healthchecks jsonb,
  tags text[],
  algorithm text,
  host_header text,
  client_certificate_id uuid REFERENCES certificates (id),
  ws_id uuid REFERENCES workspaces (id),
  hash_on_query_arg text,
  hash_fallback_query_arg text,
  hash_on_uri_capture text,
  hash_fallback_uri_capture text,
  use_srv_name boolean DEFAULT false,
  updated_at timestamp with time zone DEFAULT ${NOW0},
  ${wsUnique('upstreams')},
  CONSTRAINT upstreams_ws_id_name_unique UNIQUE (ws_id, name));
CREATE INDEX upstreams_fkey_client_certificate ON upstreams (client_certificate_id);
${tagged('upstreams')}

-- 000_base; 003 tags; 009 ws_id, workspace-aware upstream key; 016 cache_key; 019 updated_at
CREATE TABLE targets (
  id uuid PRIMARY KEY,
  created_at timestamp with time zone DEFAULT ${NOW3},
  upstream_id uuid,
  target text NOT NULL,
  weight integer NOT NULL,
  tags text[],
  ws_id uuid REFERENCES workspaces (id),
  cache_key text UNIQUE,
  updated_at timestamp with time zone DEFAULT ${NOW3},
  ${wsUnique('targets')},
  ${wsFk('targets', 'upstream', 'upstreams', true)});
CREATE INDEX targets_target_idx ON targets (target);
CREATE INDEX targets_upstream_id_idx ON targets (upstream_id);
${tagged('targets')}

-- 012_213_to_220; 013 version, sync_status; 019 updated_at and the TTL trigger; 021 labels;
-- 022 cert_details; 023 rpc_capabilities
CREATE TABLE clustering_data_planes (
  id uuid PRIMARY KEY,
  hostname text NOT NULL,
  ip text NOT NULL,
  last_seen timestamp with time zone DEFAULT ${NOW0},
  config_hash text NOT NULL,
  ttl timestamp with time zone,
  version text,
  sync_status text NOT NULL DEFAULT 'unknown',
  updated_at timestamp with time zone DEFAULT ${NOW0},
  labels jsonb,
  cert_details jsonb,
  rpc_capabilities text[]);
CREATE INDEX clustering_data_planes_ttl_idx ON clustering_data_planes (ttl);
CREATE TRIGGER clustering_data_planes_ttl_trigger AFTER INSERT ON clustering_data_planes
  FOR EACH STATEMENT EXECUTE PROCEDURE batch_delete_expired_rows('ttl');

-- 013_220_to_230: parameters and this cluster's id
CREATE TABLE parameters (key text PRIMARY KEY, value text NOT NULL, created_at timestamp with time zone);
INSERT INTO parameters (key, value) VALUES ('cluster_id', gen_random_uuid()::text);

-- 015_270_to_280 vaults_beta, copied by 016_280_to_300 (LIKE ... INCLUDING ALL, then the ws_id key
-- and the tags trigger) into sm_vaults; 016's teardown drops vaults_beta
CREATE TABLE sm_vaults (
  id uuid,
  ws_id uuid,
  prefix text,
  name text NOT NULL,
  description text,
  config jsonb NOT NULL,
  created_at timestamp with time zone DEFAULT ${NOW0},
  updated_at timestamp with time zone,
  tags text[],
  CONSTRAINT sm_vaults_pkey PRIMARY KEY (id),
  CONSTRAINT sm_vaults_prefix_key UNIQUE (prefix),
  CONSTRAINT sm_vaults_id_ws_id_key UNIQUE (id, ws_id),
  CONSTRAINT sm_vaults_prefix_ws_id_key UNIQUE (prefix, ws_id),
  CONSTRAINT sm_vaults_ws_id_fkey FOREIGN KEY (ws_id) REFERENCES workspaces (id));
CREATE INDEX sm_vaults_tags_idx ON sm_vaults USING GIN (tags);
CREATE TRIGGER sm_vaults_sync_tags_trigger AFTER INSERT OR UPDATE OF tags OR DELETE ON sm_vaults
  FOR EACH ROW EXECUTE PROCEDURE sync_tags();

-- 017_300_to_310: key_sets and keys
CREATE TABLE key_sets (
  id uuid PRIMARY KEY,
  name text UNIQUE,
  tags text[],
  ws_id uuid REFERENCES workspaces (id),
  created_at timestamp with time zone,
  updated_at timestamp with time zone);
${tagged('key_sets')}
CREATE TABLE keys (
  id uuid PRIMARY KEY,
  set_id uuid REFERENCES key_sets (id) ON DELETE CASCADE,
  name text UNIQUE,
  cache_key text UNIQUE,
  ws_id uuid REFERENCES workspaces (id),
  kid text,
  jwk text,
  pem jsonb,
  tags text[],
  created_at timestamp with time zone,
  updated_at timestamp with time zone,
  UNIQUE (kid, set_id));
CREATE INDEX keys_fkey_key_sets ON keys (set_id);
${tagged('keys')}

-- 020_330_to_340: filter_chains
CREATE TABLE filter_chains (
  id uuid PRIMARY KEY,
  name text UNIQUE,
  enabled boolean DEFAULT true,
  route_id uuid REFERENCES routes (id) ON DELETE CASCADE,
  service_id uuid REFERENCES services (id) ON DELETE CASCADE,
  ws_id uuid REFERENCES workspaces (id) ON DELETE CASCADE,
  cache_key text UNIQUE,
  filters jsonb[],
  tags text[],
  created_at timestamp with time zone,
  updated_at timestamp with time zone);
CREATE UNIQUE INDEX filter_chains_name_idx ON filter_chains (name);
CREATE UNIQUE INDEX filter_chains_cache_key_idx ON filter_chains (cache_key);
${tagged('filter_chains')}

-- 023_360_to_370: clustering_rpc_requests
CREATE TABLE clustering_rpc_requests (
  id bigserial PRIMARY KEY,
  node_id uuid NOT NULL,
  reply_to uuid NOT NULL,
  ttl timestamp with time zone NOT NULL,
  payload json NOT NULL);
CREATE INDEX clustering_rpc_requests_node_id_idx ON clustering_rpc_requests (node_id);

-- 024_380_to_390: clustering_sync_version and clustering_sync_delta
CREATE TABLE clustering_sync_version (version serial PRIMARY KEY);
CREATE TABLE clustering_sync_delta (
  version int NOT NULL,
  type text NOT NULL,
  pk json NOT NULL,
  ws_id uuid NOT NULL,
  entity json,
  FOREIGN KEY (version) REFERENCES clustering_sync_version (version) ON DELETE CASCADE);
CREATE INDEX clustering_sync_delta_version_idx ON clustering_sync_delta (version);
`;

/**
 * The tables whose rows expire: the connector's TTL cleanup (connector.lua:310-381) deletes those past
 * their `ttl` (`expire_at` for cluster_events) every `_debug_pg_ttl_cleanup_interval` seconds (300) on
 * a node with an Admin API listener. Core entities with `ttl = true`: clustering_data_planes only.
 */
export const TTL_TABLES: readonly { table: string; column: string }[] = [
  { table: 'cluster_events', column: 'expire_at' },
  { table: 'clustering_data_planes', column: 'ttl' },
];
