import { Duration } from 'cdk8s';

/** A Duration as the protobuf JSON string Istio reads: seconds with an `s` suffix, e.g. `0.5s`. */
export function istioDuration(d: Duration): string {
  return `${d.toMilliseconds() / 1000}s`;
}

/**
 * A Duration as a Gateway API duration (GEP-2257): hours, minutes, seconds and milliseconds, each at most five
 * digits and zero units left out, e.g. `5s`, `500ms` or `1m30s`.
 */
export function gatewayApiDuration(d: Duration): string {
  let ms = d.toMilliseconds();
  const parts: string[] = [];
  for (const [unit, size] of [['h', 3600000], ['m', 60000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(ms / size);
    ms -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.length ? parts.join('') : '0s';
}
