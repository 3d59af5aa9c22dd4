import { loadConfig } from '../src/core/config';

describe('configuration from the environment', () => {
  test('embedded mode always listens on 127.0.0.1, whatever CONVEYOR_HOST says', () => {
    const config = loadConfig({ CONVEYOR_SECRET: 's', CONVEYOR_HOST: '0.0.0.0', CONVEYOR_PORT: '0' });
    expect(config).toMatchObject({ mode: 'embedded', host: '127.0.0.1', port: 0, secret: 's' });
  });

  test('team mode honours CONVEYOR_HOST and needs no secret', () => {
    expect(loadConfig({ CONVEYOR_MODE: 'team', CONVEYOR_HOST: '0.0.0.0' })).toMatchObject({ mode: 'team', host: '0.0.0.0' });
  });

  test('the SQLite store defaults to <data dir>/conveyor.db', () => {
    const config = loadConfig({ CONVEYOR_SECRET: 's', CONVEYOR_DATA_DIR: '/srv/conveyor' });
    expect(config.databaseUrl).toBe('sqlite:/srv/conveyor/conveyor.db');
  });

  test('bad values are refused with a message naming the variable', () => {
    expect(() => loadConfig({})).toThrow(/CONVEYOR_SECRET/);
    expect(() => loadConfig({ CONVEYOR_MODE: 'cluster' })).toThrow(/CONVEYOR_MODE/);
    expect(() => loadConfig({ CONVEYOR_SECRET: 's', CONVEYOR_PORT: '99999' })).toThrow(/CONVEYOR_PORT/);
  });

  test('CONVEYOR_EXIT_ON_STDIN_CLOSE=1 turns on exiting with stdin', () => {
    expect(loadConfig({ CONVEYOR_SECRET: 's', CONVEYOR_EXIT_ON_STDIN_CLOSE: '1' }).exitOnStdinClose).toBe(true);
    expect(loadConfig({ CONVEYOR_SECRET: 's' }).exitOnStdinClose).toBe(false);
  });
});
