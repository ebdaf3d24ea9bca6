// GraphQL-over-HTTP (https://graphql.github.io/graphql-over-http/): reading a GraphQL
// request out of a GET query string or a POST JSON body, and choosing the response media
// type. Everything the client can get wrong here is a 4xx with a GraphQL-shaped error.
import { z } from 'zod';
import type { ApiContext } from '../api/types.ts';

export const GRAPHQL_RESPONSE = 'application/graphql-response+json';
export const JSON_TYPE = 'application/json';

export type GraphqlRequest = {
  query: string;
  variables: Record<string, unknown>;
  operationName: string | undefined;
};

/** A request that cannot be executed: answered with `status` and one GraphQL error. */
export class RequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const body = z.object({
  query: z.string({ error: '`query` must be a string holding a GraphQL document' }),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().nullish(),
  extensions: z.record(z.string(), z.unknown()).nullish(),
});

function fromUnknown(value: unknown): GraphqlRequest {
  const parsed = body.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `\`${issue.path.join('.')}\`: ` : '';
    throw new RequestError(400, 'BAD_REQUEST', `Invalid GraphQL request: ${where}${issue?.message ?? 'malformed'}`);
  }
  return {
    query: parsed.data.query,
    variables: parsed.data.variables ?? {},
    operationName: parsed.data.operationName ?? undefined,
  };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestError(400, 'BAD_REQUEST', `${what} is not valid JSON`);
  }
}

/** The media type to answer with, from Accept; undefined when nothing acceptable. */
export function responseType(accept: string | undefined): string | undefined {
  if (!accept) return JSON_TYPE; // the spec's legacy default
  const ranges = accept
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { type: type.trim(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { type } of ranges) {
    if (type === GRAPHQL_RESPONSE) return GRAPHQL_RESPONSE;
    if (type === JSON_TYPE) return JSON_TYPE;
    // fetch() sends */* by default: answer the type every client understands.
    if (type === '*/*' || type === 'application/*') return JSON_TYPE;
  }
  return undefined;
}

export function readRequest(ctx: ApiContext): GraphqlRequest {
  if (ctx.method === 'GET' || ctx.method === 'HEAD') {
    const query = ctx.query.get('query');
    if (query === null) throw new RequestError(400, 'BAD_REQUEST', 'Missing `query` parameter');
    const variables = ctx.query.get('variables');
    const extensions = ctx.query.get('extensions');
    return fromUnknown({
      query,
      variables: variables ? parseJson(variables, '`variables`') : undefined,
      operationName: ctx.query.get('operationName') ?? undefined,
      extensions: extensions ? parseJson(extensions, '`extensions`') : undefined,
    });
  }
  const contentType = (ctx.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== JSON_TYPE) {
    throw new RequestError(415, 'UNSUPPORTED_MEDIA_TYPE', 'POST a JSON body with Content-Type: application/json');
  }
  const text = ctx.body?.toString('utf8') ?? '';
  if (text.trim() === '') throw new RequestError(400, 'BAD_REQUEST', 'The request body is empty');
  return fromUnknown(parseJson(text, 'The request body'));
}
