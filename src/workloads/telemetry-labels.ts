const CANONICAL_NAME = 'service.istio.io/canonical-name';
const CANONICAL_REVISION = 'service.istio.io/canonical-revision';

/**
 * Istio names a workload in its metrics and traces after the `app` (or `app.kubernetes.io/name`) label and its
 * revision after `version` (or `app.kubernetes.io/version`). With other label keys (the seed's `app: v1` is a
 * version), the canonical labels say it explicitly, so telemetry groups both versions under one service.
 *
 * @see https://istio.io/latest/docs/ops/deployment/application-requirements/#pod-labels
 */
export function telemetryLabels(appKey: string, versionKey: string, name: string, version: string): { [key: string]: string } {
  const standard = (appKey === 'app' || appKey === 'app.kubernetes.io/name') && (versionKey === 'version' || versionKey === 'app.kubernetes.io/version');
  return standard ? {} : { [CANONICAL_NAME]: name, [CANONICAL_REVISION]: version };
}
