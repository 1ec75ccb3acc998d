// Which core migrations this stand-in knows. Kong 3.9.1 ships kong/db/migrations/core/init.lua's
// 23 migrations, 000_base .. 024_380_to_390. The "next" stand-in (image kong-standin:3.9-next, built with
// KONG_STANDIN_SCHEMA_VERSION=next) also knows 025_390_to_3100 (Kong 3.10's next core migration)
// and stands in for a Kong upgrade whose migrations must run: `up`, then `finish`.

export interface Migration {
  name: string;
  /** A teardown step makes `up` leave the migration pending until `finish` (kong/db/init.lua). */
  teardown: boolean;
}

const KONG_39: readonly string[] = [
  '000_base',
  '003_100_to_110',
  '004_110_to_120',
  '005_120_to_130',
  '006_130_to_140',
  '007_140_to_150',
  '008_150_to_200',
  '009_200_to_210',
  '010_210_to_211',
  '011_212_to_213',
  '012_213_to_220',
  '013_220_to_230',
  '014_230_to_270',
  '015_270_to_280',
  '016_280_to_300',
  '017_300_to_310',
  '018_310_to_320',
  '019_320_to_330',
  '020_330_to_340',
  '021_340_to_350',
  '022_350_to_360',
  '023_360_to_370',
  '024_380_to_390',
];

/**
 * The upgrade's migration. Kong 3.10's 025_390_to_3100 has only an `up` step; the stand-in gives it a
 * teardown too so that the pending state between `up` and `finish` (which real upgrades such as
 * 2.8 -> 3.0 have) can be exercised. A listed difference (README).
 */
const NEXT: readonly Migration[] = [{ name: '025_390_to_3100', teardown: true }];

export const SCHEMA_VERSION_ENV = 'KONG_STANDIN_SCHEMA_VERSION';

export function knownMigrations(env: NodeJS.ProcessEnv = process.env): Migration[] {
  const base = KONG_39.map((name) => ({ name, teardown: false }));
  const version = env[SCHEMA_VERSION_ENV] ?? '';
  if (version === '' || version === '3.9') return base;
  if (version === 'next') return [...base, ...NEXT];
  throw new Error(`${SCHEMA_VERSION_ENV} must be '3.9' or 'next', got '${version}'`);
}
