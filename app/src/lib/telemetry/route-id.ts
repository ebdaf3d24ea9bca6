// The route telemetry names is SvelteKit's route id without layout groups
// ('/(app)/app/tasks/[id]' → '/app/tasks/[id]'), never the concrete URL: ids in a path are
// the person's data and would split one route into thousands of dashboard rows. Before the
// router knows the route (an error during hydration), the path is generalised instead.

const GROUP_SEGMENT = /\/\([^/)]*\)/g;

/** '/(app)/app/tasks/[id]' → '/app/tasks/[id]'; '/(marketing)' → '/'. */
export function normalizeRouteId(routeId: string): string {
  const stripped = routeId.replace(GROUP_SEGMENT, '');
  return stripped === '' ? '/' : stripped;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^\d+$/;
// Opaque ids (nanoid, base64url, hex): 16+ characters with at least one digit.
const OPAQUE_ID = /^(?=.*\d)[A-Za-z0-9_-]{16,}$/;

/** '/app/tasks/3f1c…-…?x=1' → '/app/tasks/[id]': a path with its id-like segments replaced. */
export function routeFromPath(pathname: string): string {
  const path = pathname.split(/[?#]/, 1)[0] ?? '';
  if (!path.startsWith('/')) return '/';
  const segments = path.split('/').map((segment) => {
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      // A malformed escape: judge the raw text.
    }
    return UUID.test(decoded) || NUMBER.test(decoded) || OPAQUE_ID.test(decoded) ? '[id]' : segment;
  });
  const joined = segments.join('/');
  return joined.length > 200 ? `${joined.slice(0, 199)}…` : joined || '/';
}

/** The route to report: the router's id when it has one, else the generalised path. */
export function telemetryRoute(routeId: string | null | undefined, pathname: string): string {
  return routeId ? normalizeRouteId(routeId) : routeFromPath(pathname);
}
