import { ConfigError } from '../../lambda/handler';
import { seederConfigFromEnv } from '../../lambda/seeder-handler';

describe('the seeder configuration', () => {
  it('alerts on seeded events and reads every enabled region by default', () => {
    expect(seederConfigFromEnv({})).toEqual({ seedAlerts: true });
  });

  it('seeds without alerts with SEED_ALERTS=false, and reads the regions SEED_REGIONS names', () => {
    expect(seederConfigFromEnv({ SEED_ALERTS: 'false', SEED_REGIONS: 'eu-west-1,eu-central-1' })).toEqual({
      seedAlerts: false,
      regions: ['eu-west-1', 'eu-central-1'],
    });
  });

  it('rejects a SEED_ALERTS that is not true or false, naming it', () => {
    expect(() => seederConfigFromEnv({ SEED_ALERTS: 'no' })).toThrow(new ConfigError("SEED_ALERTS must be 'true' or 'false', got 'no'"));
  });

  it('rejects SEED_REGIONS that are not region names, naming it', () => {
    expect(() => seederConfigFromEnv({ SEED_REGIONS: 'everywhere' })).toThrow(/^SEED_REGIONS: 'everywhere' is not a list of region names/);
  });
});
