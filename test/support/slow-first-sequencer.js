import Sequencer from '@jest/test-sequencer';

/**
 * Jest runs the longest files first when it knows their durations from an earlier run, and
 * by file size otherwise: on a fresh clone (CI) the files that start processes, a browser
 * or the demo seed are short files that took seconds each, and started late they left one
 * worker running alone at the end. Without a recorded duration, those start first.
 */
const SLOW_WITHOUT_HISTORY = [/\/test\/process\//, /\/test\/demo\//, /\/test\/http\/swagger-ui\.spec\.ts$/];

export default class SlowFirstSequencer extends Sequencer {
  time(test) {
    const recorded = super.time(test);
    if (recorded !== undefined) return recorded;
    // Ranked above every file that has no history: the bytes of a spec, as milliseconds, stay below this.
    if (SLOW_WITHOUT_HISTORY.some((pattern) => pattern.test(test.path))) return 1_000_000;
    return test.context.hasteFS.getSize(test.path) ?? 0;
  }
}
