import { parseTrustProxy } from './trust-proxy';

describe('parseTrustProxy', () => {
  it.each([
    ['1', 1],
    ['2', 2],
    [' 100 ', 100],
    ['127.0.0.1', ['127.0.0.1']],
    ['127.0.0.1, 10.0.0.0/8', ['127.0.0.1', '10.0.0.0/8']],
    ['::1,fd00::/8', ['::1', 'fd00::/8']],
    ['192.168.0.0/16,loopback', ['192.168.0.0/16', 'loopback']],
    ['0.0.0.0/0', ['0.0.0.0/0']],
  ])('%j is %j', (value, expected) => {
    expect(parseTrustProxy(value)).toEqual(expected);
  });

  it.each([
    '0',
    '101',
    '-1',
    '1.5',
    'true',
    '*',
    '',
    '10.0.0.0/33',
    '::1/129',
    '10.0.0.0/8/1',
    '10.0.0',
    'proxy.internal',
    '127.0.0.1,',
    'a,b',
  ])('%j is refused', (value) => {
    expect(parseTrustProxy(value)).toBeUndefined();
  });
});
