// Account deletion (Better Auth's deleteUser, issue 6): before the identity goes, the
// workspaces only this person belongs to are scheduled for erasure after a grace period
// (private.schedule_account_erasure → job workspaces__erase); being the only owner of a
// workspace others still use refuses the deletion with a readable message. Better Auth
// then deletes the user row: sessions, accounts, second factors, memberships, settings and
// notifications go with it (on delete cascade); authored rows keep existing with
// created_by set to null. The audit record (account.deleted) comes from the audit mapping
// plugin (lib/auth/audit-plugin.ts), which sees every /delete-user answer.
import { APIError } from 'better-auth/api';
import { sql, type Kysely } from 'kysely';

function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

export function accountDeletion({ db, erasureDelayDays }: { db: Kysely<unknown>; erasureDelayDays: number }) {
  return {
    enabled: true,
    beforeDelete: async (user: { id: string }) => {
      try {
        await sql`select private.schedule_account_erasure(${user.id}::uuid, make_interval(days => ${erasureDelayDays}))`.execute(
          db,
        );
      } catch (error) {
        if (pgCode(error) === '55000') {
          throw new APIError('BAD_REQUEST', {
            message: (error as Error).message,
            code: 'SOLE_OWNER_OF_SHARED_WORKSPACE',
          });
        }
        throw error;
      }
    },
  };
}
