import { describe, expect, it } from 'vitest';
import {
  isSupportedStep,
  missingRequiredFlags,
  parseFeatureFlagsFile,
  rabbitmqVerdict,
  seriesOf,
  seriesOfFlags,
  upgradePath,
} from './rabbitmq-upgrades.ts';

// The feature_flags file of a new node of Debian 12's RabbitMQ 3.10.8, as it wrote it (rabbit@rabbitmq).
const FLAGS_3_10 = `[classic_mirrored_queue_version,drop_unroutable_metric,empty_basic_get_metric,
 implicit_default_bindings,maintenance_mode_status,quorum_queue,stream_queue,
 user_limits,virtual_host_metadata].
`;
// A new node of 3.13 with every stable flag, and one of 4.0.
const FLAGS_3_13 = [
  ...parseFeatureFlagsFile(FLAGS_3_10),
  'classic_queue_type_delivery_support',
  'direct_exchange_routing_v2',
  'feature_flags_v2',
  'listener_records_in_ets',
  'stream_sac_coordinator_unblock_group',
  'stream_single_active_consumer',
  'tracking_records_in_ets',
  'delete_ra_cluster_mqtt_node',
  'rabbit_mqtt_qos0_queue',
  'restart_streams',
  'detailed_queues_endpoint',
  'message_containers',
  'message_containers_deaths_v2',
  'mqtt_v5',
  'quorum_queue_non_voters',
  'stream_filtering',
  'stream_update_config_command',
];
const FLAGS_4_0 = [...FLAGS_3_13, 'rabbit_exchange_type_local_random', 'rabbitmq_4.0.0'];

describe('the data of a RabbitMQ volume', () => {
  it('reads the feature_flags file, quoted atoms included', () => {
    expect(parseFeatureFlagsFile(FLAGS_3_10)).toHaveLength(9);
    expect(parseFeatureFlagsFile("[quorum_queue,'rabbitmq_4.0.0'].\n")).toEqual([
      'quorum_queue',
      'rabbitmq_4.0.0',
    ]);
    expect(parseFeatureFlagsFile('[].')).toEqual([]);
  });

  it('is at the series its newest enabled flag comes from', () => {
    expect(seriesOfFlags(parseFeatureFlagsFile(FLAGS_3_10))).toBe('3.10');
    expect(seriesOfFlags(FLAGS_3_13)).toBe('3.13');
    expect(seriesOfFlags(FLAGS_4_0)).toBe('4.0');
    // A series newer than mkdev's table names itself.
    expect(seriesOfFlags([...FLAGS_4_0, 'rabbitmq_4.4.0'])).toBe('4.4');
    expect(seriesOfFlags([])).toBeUndefined();
  });

  it('reads a series from a version', () => {
    expect(seriesOf('4.0.5')).toBe('4.0');
    expect(seriesOf('3.10.8')).toBe('3.10');
    expect(seriesOf('latest')).toBeUndefined();
  });
});

describe("RabbitMQ's upgrade rules", () => {
  it("follows the guide's table", () => {
    expect(isSupportedStep('3.13', '4.0')).toBe(true);
    expect(isSupportedStep('4.0', '4.2')).toBe(true);
    expect(isSupportedStep('4.1', '4.3')).toBe(false);
    expect(isSupportedStep('3.10', '4.0')).toBe(false);
    expect(upgradePath('3.10', '4.0')).toEqual(['3.10', '3.11', '3.12', '3.13', '4.0']);
    expect(upgradePath('4.0', '4.3')).toEqual(['4.0', '4.2', '4.3']);
    expect(upgradePath('3.12', '4.3')).toEqual(['3.12', '3.13', '4.2', '4.3']);
    expect(upgradePath('4.3', '4.0')).toBeUndefined();
  });

  it('takes a series newer than its table as a step from the newest known one only', () => {
    expect(isSupportedStep('4.3', '4.4')).toBe(true);
    expect(isSupportedStep('4.2', '4.4')).toBe(false);
    expect(upgradePath('4.1', '4.4')).toEqual(['4.1', '4.2', '4.3', '4.4']);
    expect(
      rabbitmqVerdict('4.3', '4.4', [
        ...FLAGS_4_0,
        'rabbitmq_4.1.0',
        'rabbitmq_4.2.0',
        'rabbitmq_4.3.0',
        'khepri_db',
      ]),
    ).toEqual({ ok: true });
  });

  it('refuses 3.10 data under 4.0, naming both series and the path through 3.13 with all flags', () => {
    const verdict = rabbitmqVerdict('3.10', '4.0', parseFeatureFlagsFile(FLAGS_3_10));
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.reason).toContain('RabbitMQ 4.0 opens only data of RabbitMQ 4.0 or 3.13');
    expect(verdict.reason).toContain('RabbitMQ 3.10');
    expect(verdict.fix).toContain('3.10 -> 3.11 -> 3.12 -> 3.13 -> 4.0');
    expect(verdict.fix).toContain('rabbitmq:3.11-management');
    expect(verdict.fix).toContain('rabbitmqctl enable_feature_flag all');
    expect(verdict.fix).toContain('export_definitions');
  });

  it('opens the data of its own series and of a supported step with every flag enabled', () => {
    expect(rabbitmqVerdict('4.0', '4.0', FLAGS_4_0)).toEqual({ ok: true });
    expect(rabbitmqVerdict('3.13', '4.0', FLAGS_3_13)).toEqual({ ok: true });
    expect(rabbitmqVerdict('3.13', '4.2', FLAGS_3_13)).toEqual({ ok: true });
  });

  it('refuses a supported step whose required flags are not enabled, as RabbitMQ would at boot', () => {
    const without = FLAGS_3_13.filter((f) => f !== 'message_containers');
    expect(missingRequiredFlags(without, '4.0')).toEqual(['message_containers']);
    const verdict = rabbitmqVerdict('3.13', '4.0', without);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.fix).toContain('rabbitmq:3.13-management');
    // 4.3 requires every 4.2 flag, khepri_db too.
    expect(missingRequiredFlags([...FLAGS_4_0, 'rabbitmq_4.1.0', 'rabbitmq_4.2.0'], '4.3')).toEqual([
      'khepri_db',
    ]);
  });

  it('refuses a downgrade and 3.13 data on the experimental Khepri store', () => {
    const down = rabbitmqVerdict('4.3', '4.0', FLAGS_4_0);
    expect(down.ok).toBe(false);
    if (!down.ok) expect(down.reason).toContain('does not support downgrades');
    const khepri = rabbitmqVerdict('3.13', '4.0', [...FLAGS_3_13, 'khepri_db']);
    expect(khepri.ok).toBe(false);
    if (!khepri.ok) expect(khepri.reason).toContain('Khepri');
  });
});
