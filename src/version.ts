import { createRequire } from 'node:module';

/** The package version, read from package.json (two levels up from src/ or dist/). */
export const PACKAGE_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
