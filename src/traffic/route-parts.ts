import { Duration } from 'cdk8s';
import { MatchRoute, StickySessionOptions } from './routing';
import { CanaryGatewayOptions, TrafficVersion } from './traffic-options';

// Decisions both traffic backends share, so that the VirtualService and the HTTPRoute stay the same canary.
// Not part of the public API.

/** The version match routes and mirroring go to by default: the last one, the canary. */
export function canaryOf(versions: TrafficVersion[]): string {
  return versions[versions.length - 1].version;
}

/** The name of the i-th match route. */
export function matchRouteName(route: MatchRoute, i: number): string {
  return route.name ?? `match-${i}`;
}

/** The name of the Gateway the ingress route binds to: the existing one, else the one created. */
export function gatewayName(workload: string, gateway: CanaryGatewayOptions): string {
  return gateway.existingGateway?.name ?? gateway.name ?? `${workload}-gateway`;
}

/** The port the created Gateway listens on. */
export function gatewayPort(gateway: CanaryGatewayOptions): number {
  return gateway.port ?? 80;
}

/** The versions that get a sticky route: only those that still get traffic, so a rollback to weight 0 is not held back by old cookies. */
export function stickyVersions(versions: TrafficVersion[]): TrafficVersion[] {
  return versions.filter(v => v.weight > 0);
}

/** The Set-Cookie value that pins a client to the version that answered. */
export function stickyCookie(sticky: StickySessionOptions, version: string): string {
  const maxAge = (sticky.maxAge ?? Duration.days(1)).toSeconds();
  return `${sticky.cookieName}=${version}; Max-Age=${maxAge}; Path=/`;
}
