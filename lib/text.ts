// Strings Postgres can store: text refuses NUL characters and jsonb refuses unpaired
// surrogates ("\ud800" in JSON), so every boundary that stores free text checks both and
// answers a 400 instead of letting the insert fail with a 500.
import { z } from 'zod';

/** No NUL characters: Postgres text cannot hold them. */
export const NO_NUL = (value: string) => !value.includes('\u0000');

/** Well-formed UTF-16: a lone surrogate cannot be stored in jsonb. */
export const WELL_FORMED = (value: string) => value.isWellFormed();

/** A string of at most `max` characters that Postgres text and jsonb can hold. */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine(NO_NUL, 'must not contain NUL characters')
    .refine(WELL_FORMED, 'must not contain unpaired surrogates');
