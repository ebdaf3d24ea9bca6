import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';

/** A search hit: highlights mark matches between U+E000 and U+E001 (see public.find_tasks). */
export type SearchHit = {
  workspaceId: string;
  id: string;
  title: string;
  status: 'open' | 'completed';
  dueDate: string | null;
  titleHighlight: string;
  notesHighlight: string | null;
};

export type FindTasksOptions = { claims: Claims; query: string; maxResults?: number };

/** Full-text plus trigram search over the caller's live tasks (public.find_tasks), best first. */
export async function findTasks({ claims, query, maxResults = 50 }: FindTasksOptions): Promise<SearchHit[]> {
  return asUser(services().apiPool, { claims, readOnly: true }, async (client) => {
    const { rows } = await client.query<SearchHit>(
      `select workspace_id as "workspaceId", id, title, status, due_date::text as "dueDate",
              title_highlight as "titleHighlight", notes_highlight as "notesHighlight"
         from public.find_tasks($1, $2)`,
      [query, maxResults],
    );
    return rows;
  });
}
