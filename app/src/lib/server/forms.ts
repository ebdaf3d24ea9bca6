// Small helpers shared by form actions: read a submission into plain strings and turn a
// zod error into per-field messages for `fail(400, { errors, values })`. They live in
// #lib/forms.ts, which the pages use too when they check a form in the browser.
export { fieldErrors, formFields, type FieldErrors } from '../forms.ts';
