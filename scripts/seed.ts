// Demo data for development: one user with a few tasks. Idempotent; refused outside
// development. Signs up through Better Auth itself, so the demo user is a real user.
import { config } from '../lib/config.ts';
import { asUser } from '../lib/db/as-user.ts';
import { logger } from '../lib/logger.ts';
import { closeServices, services } from '../lib/services.ts';

const DEMO = { name: 'Demo User', email: 'demo@taskmaster.test', password: 'demo-password-1234' };

if (config().NODE_ENV !== 'development') {
  logger.error('seed: refused outside NODE_ENV=development');
  process.exit(1);
}
const svc = services();
try {
  const existing = await svc.servicePool.query('select id from identity.users where email = $1', [DEMO.email]);
  if (existing.rowCount === 0) {
    const { user } = await svc.auth.api.signUpEmail({ body: DEMO });
    await asUser(svc.apiPool, { claims: { sub: user.id, role: 'authenticated' } }, async (c) => {
      await c.query(
        `insert into public.tasks (workspace_id, title, priority, due_date, due_tz)
         select public.my_personal_workspace_id(), t.title, t.priority, t.due, case when t.due is not null then 'UTC' end
         from (values ('Try TaskMaster', 1, current_date), ('Plan the week', 2, current_date + 1),
                      ('Read the README', 4, null::date)) as t(title, priority, due)`,
      );
    });
    logger.info(`seed: demo user ${DEMO.email} created (password in README)`);
  }
} finally {
  await closeServices();
}
