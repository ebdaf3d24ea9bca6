// Account deletion (Better Auth's deleteUser, issue 6): before the identity goes, the
// workspaces only this person belongs to are scheduled for erasure after a grace period
// (private.schedule_account_erasure → job workspaces__erase); being the only owner of a
// workspace others still use refuses the deletion with a readable message. Better Auth
// then deletes the user row: sessions, accounts, second factors, memberships, settings and
// notifications go with it (on delete cascade); authored rows keep existing with
// created_by set to null. Afterwards the deletion is written to the audit log.
import { APIError } from 'better-auth/api';
import { sql, type Kysely } from 'kysely';
import { recordAudit } from './audit.ts';

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
    afterDelete: async (user: { id: string }, request?: Request) => {
      await recordAudit(db, {
        event: 'account.deleted',
        outcome: 'success',
        actorId: user.id,
        subjectId: user.id,
        ip: request?.headers.get('x-forwarded-for')?.split(',')[0] ?? null,
        userAgent: request?.headers.get('user-agent') ?? null,
      });
    },
  };
}
