import { execFileSync } from 'node:child_process';

/**
 * Builds dist/ once before the suites that run the built package (the CLI
 * as a subprocess, the README examples), so no two test files build at once.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
