// The versions of the data APIs. A version maps a URL prefix (/rest/<name>) to the
// database schemas it exposes. A breaking change ships as a new version over new schemas
// while the old one keeps answering, with Deprecation/Sunset headers, until its sunset
// (docs/api.md: expand → new version → sunset).
import type { Config } from '../../../lib/config.ts';
import type { ApiVersion } from './types.ts';

export function apiVersions(config: Config): ApiVersion[] {
  return [{ name: 'v1', schemas: config.API_SCHEMAS }];
}
