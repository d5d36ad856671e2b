/**
 * Where DynamoDB Local is cached (outside node_modules, in the platform's cache folder, or where
 * TRAIL_AUDIT_CACHE_DIR says), what a failed download reports (npm's own reason), and how the idle time of the
 * shared local server is read.
 */
import { join } from 'node:path';
import { cacheRoot, toolReason } from '../../../lambda/local/dynamodb-local';
import { DEFAULT_IDLE_SECONDS, idleSecondsFrom, parseIdleSeconds } from '../../../lambda/local/local-server';

const HOME = '/home/ana';

describe('cacheRoot', () => {
  it('is ~/.cache/trail-audit on Linux', () => {
    expect(cacheRoot({}, 'linux', HOME)).toBe(join(HOME, '.cache', 'trail-audit'));
  });

  it('follows XDG_CACHE_HOME on Linux', () => {
    expect(cacheRoot({ XDG_CACHE_HOME: '/var/cache/ana' }, 'linux', HOME)).toBe('/var/cache/ana/trail-audit');
  });

  it('ignores a relative XDG_CACHE_HOME, as the XDG specification says', () => {
    expect(cacheRoot({ XDG_CACHE_HOME: 'cache' }, 'linux', HOME)).toBe(join(HOME, '.cache', 'trail-audit'));
  });

  it('is ~/Library/Caches/trail-audit on macOS', () => {
    expect(cacheRoot({}, 'darwin', HOME)).toBe(join(HOME, 'Library', 'Caches', 'trail-audit'));
  });

  it('is in %LOCALAPPDATA% on Windows', () => {
    expect(cacheRoot({ LOCALAPPDATA: '/c/Users/ana/AppData/Local' }, 'win32', HOME)).toBe(
      join('/c/Users/ana/AppData/Local', 'trail-audit'),
    );
  });

  it('is TRAIL_AUDIT_CACHE_DIR when set, on any platform', () => {
    expect(cacheRoot({ TRAIL_AUDIT_CACHE_DIR: '/opt/cache', XDG_CACHE_HOME: '/x' }, 'linux', HOME)).toBe('/opt/cache');
  });
});

describe('toolReason', () => {
  it("gives npm's own error lines, without the pointer to its debug log", () => {
    const error = Object.assign(new Error('Command failed: npm pack amplify-dynamodb-simulator@2.9.30'), {
      stderr: [
        'npm error code ECONNREFUSED',
        'npm error syscall connect',
        'npm error FetchError: request to http://127.0.0.1:9/amplify-dynamodb-simulator failed',
        'npm error A complete log of this run can be found in: /root/.npm/_logs/debug-0.log',
      ].join('\n'),
    });

    expect(toolReason(error)).toBe(
      'code ECONNREFUSED; syscall connect; FetchError: request to http://127.0.0.1:9/amplify-dynamodb-simulator failed',
    );
  });

  it("gives another tool's last lines on stderr", () => {
    const error = Object.assign(new Error('Command failed: tar'), { stderr: 'tar: package/emulator: Not found in archive\n' });

    expect(toolReason(error)).toBe('tar: package/emulator: Not found in archive');
  });
});

describe('the idle time of the local server', () => {
  it.each([
    ['600', 600],
    ['90s', 90],
    ['10m', 600],
    ['1h', 3600],
  ])('reads %s as %d seconds', (text, seconds) => {
    expect(parseIdleSeconds(text)).toBe(seconds);
  });

  it('refuses what is not a time, naming the variable', () => {
    expect(() => parseIdleSeconds('soon')).toThrow(/TRAIL_AUDIT_LOCAL_IDLE 'soon'/);
  });

  it('is 10 minutes when the variable is not set', () => {
    expect(idleSecondsFrom({})).toBe(DEFAULT_IDLE_SECONDS);
  });
});
