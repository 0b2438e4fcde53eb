import { CanaryPhase } from './canary-phase';
import { check, isIntegerIn } from '../validation';

/** Inputs of {@link resolveCanaryWeight}; not part of the public API. */
export interface WeightInputs {
  readonly name: string;
  readonly canaryWeight?: number;
  readonly stages?: number[];
  readonly stage?: number;
  readonly phase: CanaryPhase;
  /** Sum of the fixed weights of additional versions. */
  readonly otherWeights: number;
}

/**
 * The canary's weight for the current phase and stage. Validates the plan: stages are integers from 1 to 100,
 * strictly increasing, ending at 100, so every plan ends in a full rollout and never moves traffic backwards.
 */
export function resolveCanaryWeight(w: WeightInputs): number {
  check((w.canaryWeight === undefined) !== (w.stages === undefined), 'canaryWeight', w.canaryWeight,
    'must be given, or \'stages\' instead (exactly one of the two)');
  if (w.stages !== undefined) {
    const stages = w.stages;
    check(stages.length > 0, 'stages', stages, 'must hold at least one weight');
    stages.forEach((s, i) => check(isIntegerIn(s, 1, 100), `stages[${i}]`, s, 'must be an integer from 1 to 100'));
    stages.forEach((s, i) => check(i === 0 || s > stages[i - 1], 'stages', stages, 'must be strictly increasing'));
    check(stages[stages.length - 1] === 100, 'stages', stages, 'must end at 100');
    if (w.stage !== undefined) {
      check(isIntegerIn(w.stage, 1, stages.length), 'stage', w.stage, `must be an integer from 1 to ${stages.length} (a position in 'stages')`);
    }
  } else {
    check(isIntegerIn(w.canaryWeight, 0, 100), 'canaryWeight', w.canaryWeight, 'must be an integer from 0 to 100');
    check(w.stage === undefined, 'stage', w.stage, 'applies only with \'stages\'');
  }

  switch (w.phase) {
    case CanaryPhase.PROMOTED: return 100;
    case CanaryPhase.ROLLED_BACK: return 0;
    case CanaryPhase.PROGRESSING: {
      const weight = w.stages ? w.stages[(w.stage ?? 1) - 1] : w.canaryWeight!;
      check(weight + w.otherWeights <= 100, w.stages ? 'stages' : 'canaryWeight', weight,
        `must leave room for the additional versions' weights (${w.otherWeights}): the canary and them take at most 100`);
      return weight;
    }
    default: throw new Error(`'phase' must be one of ${Object.values(CanaryPhase).join(', ')}, got ${JSON.stringify(w.phase)}`);
  }
}

/** Reads a context value set with `app.node.setContext(key, value)` (strings from the environment are accepted). */
export function contextNumber(value: unknown, key: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  check(typeof n === 'number' && Number.isFinite(n), `context '${key}'`, value, 'must be a number');
  return n as number;
}

export function contextPhase(value: unknown, key: string): CanaryPhase | undefined {
  if (value === undefined) return undefined;
  const phases = Object.values(CanaryPhase) as string[];
  check(typeof value === 'string' && phases.includes(value), `context '${key}'`, value, `must be one of ${phases.join(', ')}`);
  return value as CanaryPhase;
}
