// Run by `npm ci` and `npm install`: builds dist/ so that bin/causeway.js starts from JavaScript.
// An install without the development packages (`--omit=dev`) has no compiler; Causeway then runs
// from its sources through tsx, a dependency of its own, so the install must not fail for that.
import { execSync } from 'node:child_process';
import { createRequire } from 'node:module';

try {
  createRequire(import.meta.url).resolve('typescript/package.json');
} catch {
  console.log('causeway: TypeScript is not installed, so no build; the bin runs the sources through tsx');
  process.exit(0);
}
execSync('npm run build', { stdio: 'inherit' });
