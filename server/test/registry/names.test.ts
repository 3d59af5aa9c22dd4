import { dockerfile } from '../../src/registry/builds';
import { checkTag, mayWrite, parseRef, parseRepository, userComponent } from '../../src/registry/names';
import { matchPackages, packagesOf, parsePackageQuery } from '../../src/registry/packages';

const user = (name: string, admin = false) => ({ name, admin, createdAt: '' });

describe('tags, repositories and references', () => {
  test('only <version>-b<build id> tags pass; latest is named in the refusal', () => {
    expect(() => checkTag('1.2.3-b3f2a9c1')).not.toThrow();
    expect(() => checkTag('latest')).toThrow(/latest/);
    for (const bad of ['1.2-b3f2a9c1', '1.2.3', '1.2.3-bABCDEF1', '1.2.3-b12345', 'v1.2.3-b3f2a9c1']) {
      expect(() => checkTag(bad)).toThrow(/<version>-b<build id>/);
    }
  });

  test('shared/<name> is for admins, users/<me>/<name> for me only', () => {
    expect(parseRepository('users/alice/x')).toEqual({ namespace: 'users', owner: 'alice', name: 'x' });
    expect(() => parseRepository('users/alice')).toThrow();
    expect(() => parseRepository('shared/a/b')).toThrow();
    expect(mayWrite(user('alice'), parseRepository('users/alice/x'))).toBe(true);
    expect(mayWrite(user('alice'), parseRepository('users/bob/x'))).toBe(false);
    expect(mayWrite(user('alice'), parseRepository('shared/x'))).toBe(false);
    expect(mayWrite(user('root', true), parseRepository('shared/x'))).toBe(true);
    expect(userComponent('Alice.Smith@corp')).toBe('alice.smith-corp');
  });

  test('references split into registry, repository, tag and digest', () => {
    expect(parseRef('127.0.0.1:5000/users/a/x:1.0.0-b123456')).toEqual({ registry: '127.0.0.1:5000', repository: 'users/a/x', tag: '1.0.0-b123456', digest: undefined });
    expect(parseRef('127.0.0.1:5000/shared/x@sha256:ab')).toEqual({ registry: '127.0.0.1:5000', repository: 'shared/x', tag: undefined, digest: 'sha256:ab' });
    expect(parseRef('conveyor/base:dev')).toEqual({ registry: undefined, repository: 'conveyor/base', tag: 'dev', digest: undefined });
  });
});

describe('package search', () => {
  const lists = packagesOf({ 'io.conveyor.packages.python': 'xgboost==2.0.3,scikit_learn==1.6.1,torch==2.13.0+cpu', 'io.conveyor.packages.debian': 'python3=3.11.2-1+b1' });
  test.each([
    ['xgboost==2', ['xgboost==2.0.3']],
    ['xgboost 2.0', ['xgboost==2.0.3']],
    ['xgboost==20', []],
    ['xgboost==2.0.30', []],
    ['scikit-learn', ['scikit_learn==1.6.1']],
    ['torch 2.13.0', ['torch==2.13.0+cpu']],
    ['python3=3.11', ['python3=3.11.2-1+b1']]
  ])('%s matches %j', (q, expected) => {
    expect(matchPackages(lists, parsePackageQuery(q)!)).toEqual(expected);
  });
  test('a query that is not a package is undefined', () => {
    expect(parsePackageQuery('===')).toBeUndefined();
    expect(parsePackageQuery('a b c')).toBeUndefined();
  });
});

describe('custom build Dockerfile', () => {
  test('pins the base by digest, installs the packages as root and runs as 1000', () => {
    const text = dockerfile('127.0.0.1:5000/shared/base@sha256:ab', { base: 'x', name: 'n', version: '1.0.0', pip: ['six==1.16.0'], apt: ['curl'] });
    expect(text.split('\n')[0]).toBe('FROM 127.0.0.1:5000/shared/base@sha256:ab');
    expect(text).toMatch(/apt-get install -y --no-install-recommends curl/);
    expect(text).toMatch(/PIP_CERT=\/tmp\/conveyor-build\/host-ca.crt \$PIP install .* 'six==1.16.0'/);
    expect(text).toMatch(/chmod a-s/);
    expect(text.trim().split('\n').at(-1)).toBe('USER 1000:1000');
  });
});
