import { execFileSync } from 'node:child_process';
import { ORACLE_PACKAGES, oraclesRequired, surveyOracles } from './support/oracles.js';

/**
 * Builds dist/ once (`npm run build`: the unbundled modules, then the bundle) before the suites
 * that run the built package (the CLI as a subprocess, the README examples), so no two test
 * files build at once; and checks every test oracle once, so the run starts by saying which
 * suites will skip and what to install.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const { missing } = surveyOracles();
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((m) => ORACLE_PACKAGES[m]))];
    const how = oraclesRequired() ? 'IDLCALL_REQUIRE_ORACLES=1: the suites that need them will fail' : 'the suites that need them are skipped';
    process.stderr.write(`test oracles missing (${how}): ${pkgs.join(' ')} — apt-get install ${pkgs.join(' ')}, or run .ci/run\n`);
  }
}
