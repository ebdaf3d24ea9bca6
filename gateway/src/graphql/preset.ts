// The PostGraphile preset behind /graphql: which parts of the database become GraphQL,
// and under which names. What a caller may do is still decided by grants (the schema is
// introspected as `authenticated`, so a column without an insert grant has no input
// field) and by RLS at execution time; nothing here is an authorization rule.
import type pg from 'pg';
import {
  ConstantStep,
  lambda,
  object,
  SafeError,
  trap,
  TRAP_ERROR,
  type ObjectStep,
  type Step,
} from 'postgraphile/grafast';
import { makePgService } from 'postgraphile/adaptors/pg';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { jsonPgSmartTags } from 'postgraphile/utils';
import { PgSimplifyInflectionPreset } from '@graphile/simplify-inflection';
import { PostGraphileConnectionFilterPreset } from 'postgraphile-plugin-connection-filter';
import { LIMITS } from './limits.ts';
import { taskChangesPlugin } from './subscriptions.ts';

export type PresetOptions = {
  /** The authenticator pool: introspection and subscription re-reads run on it. */
  pool: pg.Pool;
  schemas: readonly string[];
};

/**
 * Without the Relay Node interface the primary key keeps its SQL name: `id`, not `rowId`
 * beside an opaque global `id`. Clients address rows the way REST does, by
 * (workspaceId, id).
 */
const KeepIdPlugin: GraphileConfig.Plugin = {
  name: 'TaskmasterKeepIdPlugin',
  version: '1.0.0',
  inflection: {
    add: {
      // Normally NodeAccessorPlugin's (disabled below); simplify-inflection replaces it
      // and warns on every build when it is missing. Never used for a field.
      nodeById(_options, typeName) {
        return this.camelCase(`${typeName}-by-node-id`);
      },
    },
    replace: {
      _attributeName(previous, _options, details) {
        return previous!.call(this, { ...details, skipRowId: true });
      },
    },
  },
};

/**
 * Relation names. Composite foreign keys (workspace_id, x_id) otherwise come out as
 * `workspaceProject` / `taskLabelsByWorkspaceIdAndTaskId`.
 */
const RelationNamesPlugin = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      'public.tasks': {
        constraint: {
          tasks_workspace_id_project_id_fkey: { tags: { fieldName: 'project', foreignFieldName: 'tasks' } },
        },
      },
      'public.task_labels': {
        constraint: {
          task_labels_workspace_id_task_id_fkey: { tags: { fieldName: 'task', foreignFieldName: 'taskLabels' } },
          task_labels_workspace_id_label_id_fkey: { tags: { fieldName: 'label', foreignFieldName: 'taskLabels' } },
        },
      },
    },
  },
});

type FieldArgsLike = { getRaw(name?: string): Step | undefined };
type ConnectionLike = Step & { setFirst?(first: number | Step): void };

/** Not passed: a constant of undefined at plan time, or no such argument on the field. */
const absent = (step: Step | undefined) => step == null || (step instanceof ConstantStep && step.data === undefined);

/**
 * A connection without `first`/`last` returns LIMITS.defaultPage rows (with
 * pageInfo.hasNextPage), not the whole table: what the cost limit (limits.ts) assumes
 * is then also what runs. Like PostgREST's max-rows, but per connection.
 */
const DefaultPageSizePlugin: GraphileConfig.Plugin = {
  name: 'TaskmasterDefaultPageSizePlugin',
  version: '1.0.0',
  schema: {
    hooks: {
      GraphQLObjectType_fields_field(field, _build, context) {
        const plan = field.plan as ((...args: unknown[]) => ConnectionLike) | undefined;
        if (!context.scope.isPgFieldConnection || !plan) return field;
        return {
          ...field,
          plan(...args: unknown[]) {
            const $connection = plan(...args);
            const fieldArgs = args[1] as FieldArgsLike;
            // Absent arguments are constants of undefined at plan time; a present one is
            // applied by its own applyPlan after this returns.
            if (absent(fieldArgs.getRaw('first')) && absent(fieldArgs.getRaw('last'))) {
              $connection.setFirst?.(LIMITS.defaultPage);
            }
            return $connection;
          },
        };
      },
      // `first: $n` with $n omitted or null: the default page, not everything. (With
      // `last` as well, that reads the last rows of the first page; send a number.)
      GraphQLObjectType_fields_field_args(args, _build, context) {
        const first = args.first as
          { applyPlan?: (parent: Step, $connection: ConnectionLike, input: FieldArgsLike) => void } | undefined;
        if (!context.scope.isPgFieldConnection || !first?.applyPlan) return args;
        const applyPlan = (_$parent: Step, $connection: ConnectionLike, input: FieldArgsLike) => {
          const $first = input.getRaw() as Step<number | null | undefined>;
          $connection.setFirst?.(lambda($first, (n) => n ?? LIMITS.defaultPage, true));
        };
        return { ...args, first: { ...args.first, applyPlan } } as typeof args;
      },
    },
  },
};

/** A database error: it carries a SQLSTATE (node-postgres sets severity on every one). */
const hasSqlState = (value: Error) =>
  typeof (value as { code?: unknown }).code === 'string' &&
  typeof (value as { severity?: unknown }).severity === 'string';

/**
 * A delete mutation that matched no row the caller may delete (it does not exist, or RLS
 * hides it) fails with a SafeError coded NOT_FOUND, decided here, where the error is known
 * to come from the delete step and to carry no SQLSTATE (@dataplan/pg flags a plain Error
 * when the DELETE affected no row). Errors with a SQLSTATE pass through unchanged to the
 * error mask. The error's text is never inspected.
 */
const DeleteNotFoundPlugin: GraphileConfig.Plugin = {
  name: 'TaskmasterDeleteNotFoundPlugin',
  version: '1.0.0',
  schema: {
    hooks: {
      GraphQLObjectType_fields_field(field, _build, context) {
        const plan = field.plan as ((...args: unknown[]) => ObjectStep<{ result: Step }>) | undefined;
        const scope = context.scope as { isPgDeleteMutation?: boolean; pgFieldResource?: { name: string } };
        if (!scope.isPgDeleteMutation || !plan) return field;
        const collection = scope.pgFieldResource?.name ?? 'this collection';
        return {
          ...field,
          plan(...args: unknown[]) {
            const $payload = plan(...args);
            const $delete = $payload.getStepForKey('result');
            const $found = lambda(trap($delete, TRAP_ERROR), (value: unknown) => {
              if (value instanceof Error && !hasSqlState(value)) {
                throw new SafeError(`Nothing was deleted: no row in ${collection} that you may delete matches.`, {
                  code: 'NOT_FOUND',
                });
              }
              return null;
            });
            // `found` first: when both fail, the payload carries its coded error.
            return object({ found: $found, result: $delete });
          },
        };
      },
    },
  },
};

export function makePreset({ pool, schemas }: PresetOptions): GraphileConfig.Preset {
  return {
    extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset, PostGraphileConnectionFilterPreset],
    plugins: [KeepIdPlugin, RelationNamesPlugin, DefaultPageSizePlugin, DeleteNotFoundPlugin, taskChangesPlugin],
    disablePlugins: [
      // No Relay global object ids (see KeepIdPlugin).
      'NodePlugin',
      'AddNodeInterfaceToSuitableTypesPlugin',
      'NodeAccessorPlugin',
      'PgTableNodePlugin',
      'NodeIdCodecBase64JSONPlugin',
      'NodeIdCodecPipeStringPlugin',
      // PostGraphile hides filtering/ordering on columns without a (non-partial) index.
      // Every query here is already narrowed to the caller's workspaces by RLS, the
      // cost limit (limits.ts) bounds page sizes, and REST filters on any column too:
      // GraphQL offers the same, or "list tasks by status, ordered by priority" would
      // be impossible.
      'PgIndexBehaviorsPlugin',
      // Filters across relations (`project: { name: … }`, `taskLabelsExist`) are joins
      // the cost estimate does not see; column operators cover REST's filter set. (The
      // plugin's connectionFilterRelations option is ignored in 4.0.1.)
      'PgConnectionArgFilterBackwardRelationsPlugin',
      'PgConnectionArgFilterForwardRelationsPlugin',
    ],
    pgServices: [
      makePgService({
        pool,
        schemas: [...schemas],
        // Introspect as the role callers use, so grants shape the schema: no mutations
        // on workspace_members, only `name` in WorkspacePatch, and so on.
        pgSettingsForIntrospection: { role: 'authenticated' },
        pubsub: true,
      }),
    ],
    schema: {
      connectionFilterAllowNullInput: false,
      connectionFilterAllowEmptyObjectInput: false,
    },
    grafast: { explain: false },
  };
}
