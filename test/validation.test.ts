import { check, invalid, isDns1035Label, isDns1123Label, isLabelKey, isLabelValue } from '../src/validation';

describe('validation', () => {
  test('messages name the property, the rule and the value', () => {
    expect(invalid('canaryWeight', 120, 'must be an integer from 0 to 100').message).toBe('\'canaryWeight\' must be an integer from 0 to 100, got 120');
    expect(invalid('stable.image', '', 'must not be empty').message).toBe('\'stable.image\' must not be empty, got ""');
    expect(invalid('port', NaN, 'must be a number').message).toBe('\'port\' must be a number, got NaN');
    expect(invalid('x', undefined, 'is required').message).toBe('\'x\' is required, got undefined');
    expect(() => check(false, 'p', 1, 'r')).toThrow('\'p\' r, got 1');
    expect(() => check(true, 'p', 1, 'r')).not.toThrow();
  });

  test.each([
    ['canary', true, true],
    ['1canary', true, false],
    ['canary-', false, false],
    ['Canary', false, false],
    ['a'.repeat(63), true, true],
    ['a'.repeat(64), false, false],
  ])('%s: DNS-1123 label %s, DNS-1035 label %s', (s, dns1123, dns1035) => {
    expect(isDns1123Label(s)).toBe(dns1123);
    expect(isDns1035Label(s)).toBe(dns1035);
  });

  test.each([
    ['app', true], ['app.kubernetes.io/name', true], ['istio.io/rev', true], ['Bad_Prefix/x', false], ['/x', false], ['a b', false], ['x/', false],
  ])('label key %s: %s', (key, ok) => {
    expect(isLabelKey(key)).toBe(ok);
  });

  test.each([['v1', true], ['', true], ['1.0_rc-1', true], ['-v1', false], ['a b', false]])('label value %j: %s', (value, ok) => {
    expect(isLabelValue(value)).toBe(ok);
  });
});
