-- Why: the web app's search box (issue 4) must forgive typos ("grocries" finds "groceries")
-- and show where a task matched. public.search_tasks (exact full-text only, no highlights)
-- stays as it is for API clients; find_tasks adds trigram word similarity on the title and
-- returns highlighted title and notes plus a rank. pg_trgm is a contrib extension, present
-- wherever Postgres is; the platform migration only enabled it when available, this one
-- requires it. The indexes that serve the two matches follow in their own CONCURRENTLY
-- migrations (20261123200010, 20261123200020).
create extension if not exists pg_trgm with schema extensions;
-- The first migration revokes execute on new functions from PUBLIC, extensions' too: the
-- caller's role needs the three find_tasks uses (<% is word_similarity_op).
grant execute on function extensions.similarity(text, text), extensions.word_similarity(text, text),
  extensions.word_similarity_op(text, text) to authenticated;

-- Highlights are delimited by two private-use characters, U+E000 (start) and U+E001 (end),
-- removed from the source text first: the client escapes the text and only then turns the
-- delimiters into <mark>, so a task's own text can never inject markup or fake a match.
-- Runs as the caller: RLS limits it to the caller's workspaces, like a table read.
create function public.find_tasks(query text, max_results integer default 50)
  returns table (
    workspace_id uuid,
    id uuid,
    project_id uuid,
    title text,
    notes text,
    status text,
    priority smallint,
    due_date date,
    due_time time,
    due_tz text,
    due_at timestamptz,
    recurrence text,
    "position" numeric,
    completed_at timestamptz,
    deleted_at timestamptz,
    created_by uuid,
    created_at timestamptz,
    updated_at timestamptz,
    title_highlight text,
    notes_highlight text,
    rank real
  )
  language plpgsql stable security invoker
  set search_path = ''
  -- pg_trgm's default (0.6) misses a one-letter typo in an 8-letter word ("grocries" vs
  -- "groceries" is 0.58); 0.5 still needs most of the word's trigrams.
  set pg_trgm.word_similarity_threshold = 0.5
as $$
#variable_conflict use_column
declare
  v_max_query_length constant integer := 200;
  v_query text;
  v_trigram_query text;
  v_words text[];
  v_tsquery tsquery;
  v_limit integer := least(greatest(coalesce(find_tasks.max_results, 50), 1), 200);
  v_marks constant text := chr(57344) || chr(57345);
  v_title_options text := format('StartSel=%s, StopSel=%s, HighlightAll=true', chr(57344), chr(57345));
  v_notes_options text := format(
    'StartSel=%s, StopSel=%s, MaxWords=30, MinWords=12, ShortWord=0, MaxFragments=2, FragmentDelimiter=" … "',
    chr(57344), chr(57345));
begin
  if char_length(find_tasks.query) > v_max_query_length then
    raise exception 'Search query is too long'
      using errcode = '22023',
            detail = format('A search query can be at most %s characters.', v_max_query_length);
  end if;
  -- Whitespace of every kind collapses; the delimiters can never be searched for.
  v_query := btrim(regexp_replace(
    translate(coalesce(find_tasks.query, ''), v_marks, '  '), '[[:space:]\u00a0\u200b\ufeff]+', ' ', 'g'));
  if v_query = '' then
    return;
  end if;
  v_tsquery := pg_catalog.websearch_to_tsquery('english'::regconfig, v_query);
  -- Trigram matching sees the words only: no quotes, no excluded (-word) terms.
  v_trigram_query := btrim(regexp_replace(regexp_replace(v_query, '(^| )-[^ ]*', ' ', 'g'), '["()]', ' ', 'g'));
  v_words := array(
    select distinct w from regexp_split_to_table(lower(v_trigram_query), '[^[:alnum:]]+') w
    where char_length(w) >= 3);

  return query
  with matched as (
    select t.*,
      (pg_catalog.ts_rank_cd(pg_catalog.to_tsvector('english'::regconfig, t.title || ' ' || t.notes), v_tsquery)
        + extensions.word_similarity(v_trigram_query, t.title))::real as rank
    from public.tasks t
    where t.deleted_at is null
      and (pg_catalog.to_tsvector('english'::regconfig, t.title || ' ' || t.notes) @@ v_tsquery
           or (v_trigram_query <> '' and v_trigram_query operator(extensions.<%) t.title))
    order by rank desc, t.created_at desc, t.id
    limit v_limit
  )
  select m.workspace_id, m.id, m.project_id, m.title, m.notes, m.status, m.priority, m.due_date,
    m.due_time, m.due_tz, m.due_at, m.recurrence, m.position, m.completed_at, m.deleted_at,
    m.created_by, m.created_at, m.updated_at,
    pg_catalog.ts_headline('english'::regconfig, translate(m.title, v_marks, ''), h.q, v_title_options),
    case when m.notes = '' then ''
      else pg_catalog.ts_headline('english'::regconfig, translate(m.notes, v_marks, ''), h.q, v_notes_options)
    end,
    m.rank
  from matched m
  -- What to highlight: the full-text query, plus the task's own words that are trigram-close
  -- to a query word (the typo matches, which the full-text query cannot name).
  cross join lateral (
    select case when count(*) = 0 then v_tsquery
      else v_tsquery || pg_catalog.to_tsquery('english'::regconfig, string_agg(distinct d.w, ' | ')) end as q
    from regexp_split_to_table(lower(m.title || ' ' || left(m.notes, 5000)), '[^[:alnum:]]+') d(w)
    where d.w <> '' and exists (
      select 1 from unnest(v_words) qw where extensions.similarity(d.w, qw) >= 0.4)
  ) h
  order by m.rank desc, m.created_at desc, m.id;
end
$$;
comment on function public.find_tasks(text, integer) is
  'Typo-tolerant search over the caller''s live tasks: full-text on title and notes OR trigram word similarity on the title. Each row is a task plus title_highlight and notes_highlight (matches between U+E000 and U+E001) and rank. A blank query returns nothing; more than 200 characters is refused (400).';
revoke execute on function public.find_tasks(text, integer) from public;
grant execute on function public.find_tasks(text, integer) to authenticated;
