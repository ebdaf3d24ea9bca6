// Limits on what one GraphQL document may ask for, checked as validation rules before
// anything reaches the database. GraphQL lets a client nest relations and alias fields
// freely, so without these one small request could ask for millions of rows.
//
// - Depth: fields nested in fields, at most LIMITS.maxDepth (introspection, which a
//   schema explorer needs, may go LIMITS.maxIntrospectionDepth deep: `ofType` chains).
// - Cost: an estimate of the rows a document can return. Every field costs the product
//   of the page sizes of the paginated fields it sits in (itself included); a paginated
//   field is one with a `first`/`last` argument, and its page size is that argument
//   (a literal or a variable) or LIMITS.defaultPage when absent; rows skipped with
//   `offset` are added to the field's own cost. Aliases and fragments count every time
//   they appear.
// - Page size: `first`/`last` at most LIMITS.maxPage; `first`/`last`/`offset` not negative.
// Document size is limited before parsing (characters and tokens; see index.ts).
import {
  GraphQLError,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';

export const LIMITS = Object.freeze({
  maxDepth: 10,
  maxIntrospectionDepth: 16,
  maxCost: 50_000,
  defaultPage: 100,
  maxPage: 1_000,
  maxDocumentChars: 100_000,
  maxTokens: 10_000,
  /** Selections visited while measuring (fragments re-used many times expand). */
  maxVisits: 20_000,
});

class TooComplex extends Error {}

type Measure = { depth: number; introspectionDepth: number; cost: number };

type Walk = {
  ctx: ValidationContext;
  variables: Record<string, unknown>;
  /** Fragments on the current path: a cycle is reported by NoFragmentCyclesRule; stop here. */
  path: Set<string>;
  pageErrors: GraphQLError[];
  visits: number;
};

function pageArgument(walk: Walk, value: ValueNode | undefined): number | undefined {
  if (!value) return undefined;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = walk.variables[value.name.value];
    return typeof v === 'number' ? v : undefined;
  }
  return undefined;
}

function fieldDef(parent: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (!parent || !(isObjectType(parent) || isInterfaceType(parent))) return undefined;
  return parent.getFields()[name];
}

function measure(
  walk: Walk,
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType | undefined,
  multiplier: number,
): Measure {
  const out: Measure = { depth: 0, introspectionDepth: 0, cost: 0 };
  const merge = (m: Measure) => {
    out.depth = Math.max(out.depth, m.depth);
    out.introspectionDepth = Math.max(out.introspectionDepth, m.introspectionDepth);
    out.cost += m.cost;
  };
  for (const selection of selectionSet.selections) {
    walk.visits += 1;
    if (walk.visits > LIMITS.maxVisits) throw new TooComplex();
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      const def = fieldDef(parent, name);
      let factor = 1;
      let skipped = 0;
      if (def?.args.some((a) => a.name === 'first' || a.name === 'last')) {
        const args = new Map((selection.arguments ?? []).map((a) => [a.name.value, a.value]));
        for (const argName of ['first', 'last', 'offset']) {
          const n = pageArgument(walk, args.get(argName));
          if (n !== undefined && n < 0) {
            // Postgres would refuse the LIMIT/OFFSET, and that would surface as an internal error.
            walk.pageErrors.push(
              new GraphQLError(`\`${argName}\` on \`${name}\` is ${n}; it cannot be negative.`, {
                nodes: [selection],
                extensions: { code: 'BAD_USER_INPUT' },
              }),
            );
          } else if (argName !== 'offset' && n !== undefined && n > LIMITS.maxPage) {
            walk.pageErrors.push(
              new GraphQLError(`\`${argName}\` on \`${name}\` is ${n}; at most ${LIMITS.maxPage} rows a page.`, {
                nodes: [selection],
                extensions: { code: 'PAGE_TOO_LARGE' },
              }),
            );
          }
        }
        const first = pageArgument(walk, args.get('first'));
        const last = pageArgument(walk, args.get('last'));
        const sizes = [first, last].filter((n): n is number => n !== undefined && n >= 0);
        factor = sizes.length > 0 ? Math.min(...sizes) : LIMITS.defaultPage;
        // Rows skipped by `offset` are read, not returned: they cost here, not below.
        skipped = Math.max(pageArgument(walk, args.get('offset')) ?? 0, 0);
      }
      const here = multiplier * Math.max(factor, 1);
      const child = selection.selectionSet
        ? measure(walk, selection.selectionSet, def ? getNamedType(def.type) : undefined, here)
        : { depth: 0, introspectionDepth: 0, cost: 0 };
      if (name === '__schema' || name === '__type') {
        // Introspection: its own, deeper limit, and no row cost (it reads no table).
        merge({ depth: 0, introspectionDepth: child.depth + 1, cost: 0 });
      } else {
        const cost = here + multiplier * skipped + child.cost;
        merge({ depth: child.depth + 1, introspectionDepth: child.introspectionDepth, cost });
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const typeName = selection.typeCondition?.name.value;
      const type = typeName ? walk.ctx.getSchema().getType(typeName) : parent;
      merge(measure(walk, selection.selectionSet, type ?? undefined, multiplier));
    } else {
      const name = selection.name.value;
      if (walk.path.has(name)) continue;
      const fragment: FragmentDefinitionNode | null | undefined = walk.ctx.getFragment(name);
      if (!fragment) continue; // KnownFragmentNamesRule reports it
      const type = walk.ctx.getSchema().getType(fragment.typeCondition.name.value);
      walk.path.add(name);
      merge(measure(walk, fragment.selectionSet, type ?? undefined, multiplier));
      walk.path.delete(name);
    }
  }
  return out;
}

/** Depth, cost and page-size limits; `variables` are the request's (for `first: $n`). */
export function limitRules(variables: Record<string, unknown>): ValidationRule[] {
  const rule: ValidationRule = (ctx: ValidationContext) => ({
    OperationDefinition(node: OperationDefinitionNode) {
      const root = ctx.getSchema().getRootType(node.operation) ?? undefined;
      const walk: Walk = { ctx, variables, path: new Set(), pageErrors: [], visits: 0 };
      let m: Measure;
      try {
        m = measure(walk, node.selectionSet, root, 1);
      } catch (error) {
        if (!(error instanceof TooComplex)) throw error;
        ctx.reportError(
          new GraphQLError(`Query expands to more than ${LIMITS.maxVisits} selections.`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_COMPLEX', limit: LIMITS.maxVisits },
          }),
        );
        return;
      }
      for (const error of walk.pageErrors) ctx.reportError(error);
      if (m.depth > LIMITS.maxDepth) {
        ctx.reportError(
          new GraphQLError(`Query is nested ${m.depth} levels deep; the limit is ${LIMITS.maxDepth}.`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_DEEP', depth: m.depth, limit: LIMITS.maxDepth },
          }),
        );
      }
      if (m.introspectionDepth > LIMITS.maxIntrospectionDepth) {
        ctx.reportError(
          new GraphQLError(
            `Introspection is nested ${m.introspectionDepth} levels deep; the limit is ${LIMITS.maxIntrospectionDepth}.`,
            { nodes: [node], extensions: { code: 'QUERY_TOO_DEEP', depth: m.introspectionDepth } },
          ),
        );
      }
      if (m.cost > LIMITS.maxCost) {
        ctx.reportError(
          new GraphQLError(
            `Query could return about ${m.cost} rows; the limit is ${LIMITS.maxCost}. ` +
              `Pass smaller \`first\`/\`last\` values (pages default to ${LIMITS.defaultPage}) or nest fewer lists.`,
            { nodes: [node], extensions: { code: 'QUERY_TOO_COSTLY', cost: m.cost, limit: LIMITS.maxCost } },
          ),
        );
      }
    },
  });
  return [rule];
}
