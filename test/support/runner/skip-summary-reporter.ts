import type { Reporter, TestModule } from 'vitest/node';
import { skippedServices } from './skipped-services.js';

/**
 * Repeats global-setup's SKIPPED banner after the run's summary, with how many tests were skipped, so a
 * run without services ends with it instead of burying it hundreds of lines up.
 */
export default class SkipSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const line = skippedServices();
    if (line === undefined) return;
    let skipped = 0;
    for (const module of testModules) for (const _ of module.children.allTests('skipped')) skipped++;
    const text = `${line} (${skipped} tests skipped)`;
    const bar = '!'.repeat(text.length);
    process.stderr.write(`\n${bar}\n${text}\n${bar}\n`);
  }
}
