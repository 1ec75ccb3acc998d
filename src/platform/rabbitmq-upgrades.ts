// Which RabbitMQ can open which RabbitMQ's data, as RabbitMQ itself decides it. Two sources, both kept
// here verbatim so the rules can be checked against them:
//  - the upgrade table of RabbitMQ's upgrade guide (rabbitmq-website docs/upgrade.md, "RabbitMQ Version
//    Upgradability", as of the 4.3 docs): a series opens data of its own series and of the series listed;
//  - the feature flags each release declares (`-rabbit_feature_flag(...)` in deps/*/src of
//    rabbitmq-server at the last tag of each series, v3.8.35 ... v4.3.5). A node that is not new refuses
//    to boot when a required flag provided by the `rabbit` application is not enabled in its data
//    ("required feature flag not enabled! It must be enabled before upgrading RabbitMQ",
//    deps/rabbit/src/rabbit_ff_registry_factory.erl:286-295 at v4.0.5); flags of plugins are enabled
//    on the spot instead (:280-282).
// The data says which flags it has enabled: <mnesia base>/<node>-feature_flags, an Erlang list
// (rabbit_feature_flags.erl:1062-1086 at v4.0.5; the path from rabbit_env.erl:971-977).

/** A release series, "4.0". */
export type Series = string;

/** [flag, series that introduced it, series from which it is required, provided by the `rabbit` app]. */
const FLAGS: ReadonlyArray<readonly [string, Series, Series | undefined, boolean]> = [
  ['drop_unroutable_metric', '3.8', '3.12', false],
  ['empty_basic_get_metric', '3.8', '3.12', false],
  ['implicit_default_bindings', '3.8', '3.11', true],
  ['maintenance_mode_status', '3.8', '3.11', true],
  ['quorum_queue', '3.8', '3.11', true],
  ['user_limits', '3.8', '3.11', true],
  ['virtual_host_metadata', '3.8', '3.11', true],
  ['stream_queue', '3.9', '3.12', true],
  ['classic_mirrored_queue_version', '3.10', '3.12', true],
  // Also in late 3.10.x and 3.11.x patches: a flag counts for the oldest series whose last patch has it.
  ['classic_queue_type_delivery_support', '3.10', '3.12', true],
  ['direct_exchange_routing_v2', '3.11', '3.12', true],
  ['feature_flags_v2', '3.11', '3.12', true],
  ['listener_records_in_ets', '3.11', '3.12', true],
  ['stream_sac_coordinator_unblock_group', '3.11', '4.0', true],
  ['stream_single_active_consumer', '3.11', '3.12', true],
  ['tracking_records_in_ets', '3.11', '3.12', true],
  ['delete_ra_cluster_mqtt_node', '3.12', '4.0', false],
  ['rabbit_mqtt_qos0_queue', '3.12', '4.0', false],
  ['restart_streams', '3.12', '4.0', true],
  ['detailed_queues_endpoint', '3.13', '4.3', false],
  // Experimental in 3.13-4.1 (enable_feature_flag all leaves it off), stable in 4.2, required in 4.3.
  ['khepri_db', '3.13', '4.3', true],
  ['message_containers', '3.13', '4.0', true],
  ['message_containers_deaths_v2', '3.13', '4.3', true],
  ['mqtt_v5', '3.13', '4.0', false],
  ['quorum_queue_non_voters', '3.13', '4.3', true],
  ['stream_filtering', '3.13', '4.0', true],
  ['stream_update_config_command', '3.13', '4.0', true],
  ['rabbit_exchange_type_local_random', '4.0', '4.3', true],
  ['rabbitmq_4.0.0', '4.0', '4.3', true],
  ['rabbitmq_4.1.0', '4.1', '4.3', true],
  ['rabbitmq_4.2.0', '4.2', '4.3', true],
  ['rabbitmq_4.3.0', '4.3', undefined, true],
  ['tie_binding_to_dest_with_keep_while_cond', '4.3', undefined, true],
  ['topic_binding_projection_v4', '4.3', undefined, true],
  ['topic_binding_projection_v5', '4.3', undefined, true],
  ['track_qq_members_uids', '4.3', undefined, true],
];

/** The series whose code the flag table above was read from (the last one known to mkdev). */
const LAST_KNOWN_SERIES: Series = '4.3';

/** The guide's table: [from, to]. 3.7 -> 3.8 needs 3.7.18 and 3.11 -> 3.12 needs 3.11.18 or later. */
const UPGRADE_PATHS: ReadonlyArray<readonly [Series, Series]> = [
  ['4.2', '4.3'],
  ['4.1', '4.2'],
  ['4.0', '4.2'],
  ['4.0', '4.1'],
  ['3.13', '4.2'],
  ['3.13', '4.1'],
  ['3.13', '4.0'],
  ['3.12', '3.13'],
  ['3.11', '3.12'],
  ['3.10', '3.11'],
  ['3.9', '3.10'],
  ['3.8', '3.9'],
  ['3.7', '3.8'],
];

function parts(series: Series): [number, number] {
  const [major = 0, minor = 0] = series.split('.').map(Number);
  return [major, minor];
}

export function compareSeries(a: Series, b: Series): number {
  const [am, an] = parts(a);
  const [bm, bn] = parts(b);
  return am - bm || an - bn;
}

/** "4.0.5" -> "4.0"; undefined for anything that is not a version. */
export function seriesOf(version: string): Series | undefined {
  const match = /^(\d+)\.(\d+)/.exec(version.trim());
  return match ? `${match[1]}.${match[2]}` : undefined;
}

/** The flag names of a feature_flags file: `[quorum_queue,'rabbitmq_4.0.0',...].` */
export function parseFeatureFlagsFile(text: string): string[] {
  const body = text
    .trim()
    .replace(/^\[/, '')
    .replace(/\]\s*\.\s*$/, '');
  return body
    .split(',')
    .map((flag) => flag.trim().replace(/^'(.*)'$/, '$1'))
    .filter((flag) => flag !== '');
}

/**
 * The series the data has been brought to: the newest series any of its enabled flags belongs to. A
 * new node enables every stable flag (rabbit_ff_controller.erl:578-598 at v4.0.5), so this is the
 * series that created it; a node upgraded without
 * enabling the new series' flags stays at the older series, which is what its next upgrade depends on.
 * Flags newer than the table (`rabbitmq_4.4.0`) name their series.
 */
export function seriesOfFlags(flags: readonly string[]): Series | undefined {
  let newest: Series | undefined;
  for (const flag of flags) {
    const series = FLAGS.find(([name]) => name === flag)?.[1] ?? /^rabbitmq_(\d+\.\d+)\.\d+$/.exec(flag)?.[1];
    if (series !== undefined && (newest === undefined || compareSeries(series, newest) > 0)) newest = series;
  }
  return newest;
}

/** Flags that `target` requires, provided by the `rabbit` application, and not enabled in the data. */
export function missingRequiredFlags(flags: readonly string[], target: Series): string[] {
  if (compareSeries(target, LAST_KNOWN_SERIES) > 0) target = LAST_KNOWN_SERIES;
  const enabled = new Set(flags);
  return FLAGS.filter(
    ([name, , requiredFrom, core]) =>
      core && requiredFrom !== undefined && compareSeries(requiredFrom, target) <= 0 && !enabled.has(name),
  ).map(([name]) => name);
}

/**
 * Whether the guide lists `from` -> `to` as one supported step (a patch upgrade always is). For a series
 * newer than the table, mkdev cannot know its steps: it takes the newest known series as one (every
 * series so far has upgraded from its predecessor) and no older one.
 */
export function isSupportedStep(from: Series, to: Series): boolean {
  if (from === to || UPGRADE_PATHS.some(([a, b]) => a === from && b === to)) return true;
  return compareSeries(to, LAST_KNOWN_SERIES) > 0 && compareSeries(from, LAST_KNOWN_SERIES) >= 0;
}

/**
 * The supported steps from `from` to `to`, fewest first (breadth-first over the guide's table), or
 * undefined when the table has no way (a downgrade, or a series newer than the table).
 */
export function upgradePath(from: Series, to: Series): Series[] | undefined {
  if (compareSeries(to, LAST_KNOWN_SERIES) > 0 && compareSeries(from, to) < 0) {
    if (compareSeries(from, LAST_KNOWN_SERIES) >= 0) return [from, to];
    const known = upgradePath(from, LAST_KNOWN_SERIES);
    return known && [...known, to];
  }
  const queue: Series[][] = [[from]];
  const seen = new Set([from]);
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    const last = path[path.length - 1] as Series;
    if (last === to) return path;
    const next = UPGRADE_PATHS.filter(([a]) => a === last)
      .map(([, b]) => b)
      .sort((a, b) => compareSeries(b, a));
    for (const series of next) {
      if (seen.has(series) || compareSeries(series, to) > 0) continue;
      seen.add(series);
      queue.push([...path, series]);
    }
  }
  return undefined;
}

export type RabbitVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly fix: string };

const ENABLE_ALL =
  '`rabbitmqctl enable_feature_flag all` in the running container (`docker exec <container> rabbitmqctl enable_feature_flag all`)';
const EXPORT_DEFINITIONS =
  'if the definitions are what matters (users, vhosts, queues, exchanges, bindings; not the messages), export them with `rabbitmqctl export_definitions /var/lib/rabbitmq/definitions.json` on the old version, start the new one on a new volume and import them (`rabbitmqctl import_definitions`)';

/** Whether RabbitMQ `image` opens data at `data` with these flags enabled; if not, why and what to do. */
export function rabbitmqVerdict(data: Series, image: Series, flags: readonly string[]): RabbitVerdict {
  const cmp = compareSeries(data, image);
  if (cmp > 0) {
    return {
      ok: false,
      reason: `RabbitMQ does not support downgrades: the data is of RabbitMQ ${data}, the image runs ${image}`,
      fix: `use an image of RabbitMQ ${data} or a later series its upgrade table allows (e.g. rabbitmq:${data}-management)`,
    };
  }
  if (flags.includes('khepri_db') && data === '3.13' && parts(image)[0] >= 4) {
    return {
      ok: false,
      reason: `the data is RabbitMQ 3.13 with the experimental Khepri store enabled, which RabbitMQ ${image} cannot upgrade (RabbitMQ's upgrade guide)`,
      fix: `stay on rabbitmq:3.13-management; ${EXPORT_DEFINITIONS}`,
    };
  }
  if (cmp < 0 && !isSupportedStep(data, image)) {
    const path = upgradePath(data, image);
    const steps = path
      ? `upgrade one supported step at a time, ${path.join(' -> ')} (docs/upgrades.md): at each step set this service's 'image:' to that series (rabbitmq:${path[1]}-management first), run 'mkdev up', then ${ENABLE_ALL}`
      : `no upgrade path from ${data} to ${image} is known to mkdev`;
    return {
      ok: false,
      reason: `RabbitMQ ${image} opens only data of RabbitMQ ${stepsInto(image)} (RabbitMQ's upgrade table); this data is of RabbitMQ ${data}`,
      fix: `${steps}; or, ${EXPORT_DEFINITIONS}`,
    };
  }
  const missing = missingRequiredFlags(flags, image);
  if (missing.length > 0) {
    return {
      ok: false,
      reason: `RabbitMQ ${image} requires feature flags the data has not enabled (${missing.join(', ')}); it would refuse to boot`,
      fix: `start the volume once more with RabbitMQ ${data} (this service's 'image:' set to rabbitmq:${data}-management), run ${ENABLE_ALL}, then switch the image back`,
    };
  }
  return { ok: true };
}

/** "4.0 or 3.13": the series whose data `image` opens. */
function stepsInto(image: Series): string {
  const from = UPGRADE_PATHS.filter(([, b]) => b === image).map(([a]) => a);
  const all = [image, ...from];
  return all.length === 1 ? image : `${all.slice(0, -1).join(', ')} or ${all[all.length - 1]}`;
}
