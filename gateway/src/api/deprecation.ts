// Deprecated API versions (gateway/src/api/versions.ts sets `deprecated` on a version):
// until its sunset every response carries
//   Deprecation: @<unix seconds>          RFC 9745 (when it became deprecated)
//   Sunset: <HTTP-date>                   RFC 8594 (when it stops answering)
//   Link: <guide>; rel="deprecation", <guide>; rel="sunset"
// and from the sunset on the version answers 410 Gone, pointing at the same guide.
import { ApiError } from './errors.ts';
import type { ApiVersion } from './types.ts';

function deprecationHeaders(version: ApiVersion): Record<string, string> {
  const d = version.deprecated;
  if (!d) return {};
  return {
    deprecation: `@${Math.floor(d.since.getTime() / 1000)}`,
    sunset: d.sunset.toUTCString(),
    link: `<${d.link}>; rel="deprecation"; type="text/html", <${d.link}>; rel="sunset"; type="text/html"`,
  };
}

/** `headers` plus the version's deprecation fields; a Link the engine set is kept. */
export function withDeprecation(version: ApiVersion, headers: Record<string, string>): Record<string, string> {
  const added = deprecationHeaders(version);
  if (added.link && headers.link) added.link = `${headers.link}, ${added.link}`;
  return { ...headers, ...added };
}

/** 410 Gone once the version's sunset has passed; undefined while it still answers. */
export function sunsetError(version: ApiVersion, now: Date): ApiError | undefined {
  const d = version.deprecated;
  if (!d || now.getTime() < d.sunset.getTime()) return undefined;
  return new ApiError(410, 'TM410', `API version ${version.name} was retired on ${d.sunset.toUTCString()}`, {
    details: `Migration guide: ${d.link}`,
    hint: 'Move to the current API version described in the guide.',
  });
}
