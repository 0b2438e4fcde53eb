import { SidecarInjection } from '../../src';

describe('SidecarInjection', () => {
  test('enabled() is the default injector label', () => {
    const injection = SidecarInjection.enabled();
    expect([injection.labelKey, injection.labelValue]).toEqual(['istio-injection', 'enabled']);
  });

  test('revision() selects a control plane revision', () => {
    const injection = SidecarInjection.revision('1-32-0');
    expect([injection.labelKey, injection.labelValue]).toEqual(['istio.io/rev', '1-32-0']);
  });

  test('ambient() enrolls the namespace in ambient mode, with one label only', () => {
    const ambient = SidecarInjection.ambient();
    expect([ambient.labelKey, ambient.labelValue]).toEqual(['istio.io/dataplane-mode', 'ambient']);
  });

  test.each(['', 'not valid', '-x', 'a'.repeat(64)])('revision() refuses %j', (revision) => {
    expect(() => SidecarInjection.revision(revision)).toThrow(`'sidecarInjection.revision' must be a Kubernetes label value (at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric), got ${JSON.stringify(revision)}`);
  });
});
