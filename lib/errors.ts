// One vocabulary of errors for every API. Database errors are translated here, by
// SQLSTATE and constraint name, into an HTTP status and a sentence a person can act on.
// SQL text never reaches a response. docs/error-codes.md lists the same codes.

export const ErrorCode = {
  Validation: 'validation_failed',
  Unauthenticated: 'unauthenticated',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  Conflict: 'conflict',
  RateLimited: 'rate_limited',
  Unavailable: 'unavailable',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = STATUS[code];
    this.field = options.field;
  }
}

/** Readable messages for every named constraint; tests/integration/errors.test.ts checks none is missing. */
export const CONSTRAINT_MESSAGES: Readonly<Record<string, { field?: string; message: string }>> = {
  workspaces_name_length: { field: 'name', message: 'Workspace name must be 1 to 100 characters.' },
  workspaces_name_not_blank: { field: 'name', message: 'Workspace name must contain a visible character.' },
  workspaces_kind_valid: { field: 'kind', message: 'Workspace kind must be personal or team.' },
  workspace_members_role_valid: { field: 'role', message: 'Role must be owner, admin, member or guest.' },
  projects_name_length: { field: 'name', message: 'Project name must be 1 to 120 characters.' },
  projects_name_not_blank: { field: 'name', message: 'Project name must contain a visible character.' },
  projects_color_valid: { field: 'color', message: 'Colour must be a palette name or #rrggbb.' },
  projects_position_finite: { field: 'position', message: 'Position is out of range.' },
  tasks_title_length: { field: 'title', message: 'Title must be 1 to 500 characters (not just spaces).' },
  tasks_title_not_blank: { field: 'title', message: 'Title must contain a visible character.' },
  tasks_notes_length: { field: 'notes', message: 'Notes can be at most 20,000 characters.' },
  tasks_status_valid: { field: 'status', message: 'Status must be open or completed.' },
  tasks_priority_range: { field: 'priority', message: 'Priority must be between 1 (highest) and 4.' },
  tasks_due_tz_valid: { field: 'due_tz', message: 'Time zone must be an IANA zone name such as Europe/Berlin.' },
  tasks_recurrence_format: { field: 'recurrence', message: 'Recurrence must be an RRULE such as FREQ=WEEKLY.' },
  tasks_position_finite: { field: 'position', message: 'Position is out of range.' },
  tasks_due_time_needs_date: { field: 'due_time', message: 'A due time needs a due date.' },
  tasks_due_tz_needs_date: { field: 'due_tz', message: 'A time zone needs a due date.' },
  tasks_completed_consistent: { field: 'completed_at', message: 'Only completed tasks have a completion time.' },
  tasks_recurrence_parent_key: {
    field: 'recurrence_parent_id',
    message: 'This recurring task already has its next occurrence.',
  },
  task_reminders_kind_valid: { field: 'kind', message: 'A reminder is at_due, before_due or absolute.' },
  task_reminders_offset_unit_valid: {
    field: 'offset_unit',
    message: 'A reminder offset is in minutes, hours or days.',
  },
  task_reminders_offset_range: {
    field: 'offset_amount',
    message: 'A reminder can be at most 7 days ahead in minutes, 720 hours or 365 days (and at least 1).',
  },
  task_reminders_shape: {
    field: 'kind',
    message: 'An at_due reminder has no offset or time; before_due needs an amount and unit; absolute needs remind_at.',
  },
  labels_name_format: { field: 'name', message: 'Label names are 1 to 60 characters without spaces.' },
  labels_name_not_blank: { field: 'name', message: 'Label name must contain a visible character.' },
  labels_color_valid: { field: 'color', message: 'Colour must be a palette name or #rrggbb.' },
  labels_name_key: { field: 'name', message: 'A label with this name already exists.' },
  api_keys_name_length: { field: 'name', message: 'Key name must be 1 to 100 characters.' },
  api_keys_name_not_blank: { field: 'name', message: 'Key name must contain a visible character.' },
  api_keys_role_valid: { field: 'role', message: 'A key is either read or write.' },
  api_keys_prefix_format: { field: 'prefix', message: 'The key prefix is malformed.' },
  api_keys_expiry_range: { field: 'expires_at', message: 'A key must expire in the future and within a year.' },
  users_email_format: { field: 'email', message: 'Enter a valid email address.' },
  sessions_place_length: { field: 'place', message: 'A session place can be at most 100 characters.' },
  refresh_tokens_hash_format: { field: 'token_hash', message: 'A refresh token hash is 64 hexadecimal characters.' },
  refresh_tokens_hash_key: { field: 'refresh_token', message: 'This refresh token already exists.' },
  refresh_tokens_expiry_after_creation: {
    field: 'expires_at',
    message: 'A refresh token must expire after it is issued.',
  },
  users_name_length: { field: 'name', message: 'Name can be at most 200 characters.' },
  passkeys_name_length: { field: 'name', message: 'A passkey name can be at most 100 characters.' },
  passkeys_credential_id_key: { message: 'This passkey is already registered.' },
  two_factors_user_id_key: { message: 'Two-factor authentication is already set up for this account.' },
  sessions_aal_values: { message: 'A session assurance level must be aal1 or aal2.' },
  audit_event_format: { message: 'An audit event name must be dotted lower case, such as auth.sign_in.' },
  audit_outcome_values: { message: 'An audit outcome must be success or failure.' },
  audit_user_agent_length: { message: 'An audit user agent can be at most 500 characters.' },
  audit_reason_length: { message: 'An audit reason can be at most 500 characters.' },
  audit_data_size: { message: 'Audit event data can be at most 4 KB.' },
  user_settings_time_zone_valid: {
    field: 'time_zone',
    message: 'Time zone must be an IANA zone name such as Europe/Berlin.',
  },
  user_settings_locale_format: { field: 'locale', message: 'Locale must be a language tag such as en or en-GB.' },
  user_settings_theme_valid: { field: 'theme', message: 'Theme must be system, light or dark.' },
  user_settings_week_start_range: {
    field: 'week_start',
    message: 'The week starts on a day from 0 (Sunday) to 6 (Saturday).',
  },
  bug_reports_description_length: { field: 'description', message: 'Describe the problem in 1 to 5,000 characters.' },
  bug_reports_route_length: { field: 'route', message: 'Route can be at most 2,000 characters.' },
  bug_reports_app_version_length: { field: 'app_version', message: 'App version can be at most 100 characters.' },
  bug_reports_user_agent_length: { field: 'user_agent', message: 'User agent can be at most 1,000 characters.' },
  bug_reports_client_errors_shape: {
    field: 'client_errors',
    message: 'Client errors must be a list of at most 50 entries (64 KB).',
  },
  bug_reports_screenshot_format: {
    field: 'screenshot',
    message: 'The screenshot must be a PNG or JPEG data URL of at most 2 MB.',
  },
  web_vitals_name_valid: { field: 'name', message: 'A web vital is LCP, CLS, INP, TTFB or FCP.' },
  web_vitals_value_range: { field: 'value', message: 'A web vital value must be between 0 and 3,600,000.' },
  web_vitals_rating_valid: { field: 'rating', message: 'Rating must be good, needs-improvement or poor.' },
  web_vitals_route_length: { field: 'route', message: 'Route can be at most 500 characters.' },
  web_vitals_navigation_type_length: {
    field: 'navigation_type',
    message: 'Navigation type can be at most 40 characters.',
  },
  web_vitals_app_version_length: { field: 'app_version', message: 'App version can be at most 100 characters.' },
  client_errors_message_length: { field: 'message', message: 'An error message must be 1 to 2,000 characters.' },
  client_errors_stack_length: { field: 'stack', message: 'A stack can be at most 16,000 characters.' },
  client_errors_route_length: { field: 'route', message: 'Route can be at most 500 characters.' },
  client_errors_user_agent_length: { field: 'user_agent', message: 'User agent can be at most 1,000 characters.' },
  client_errors_app_version_length: { field: 'app_version', message: 'App version can be at most 100 characters.' },
  notifications_title_length: { field: 'title', message: 'A notification title must be 1 to 300 characters.' },
  notifications_body_length: { field: 'body', message: 'A notification body can be at most 2,000 characters.' },
  notifications_url_path: {
    field: 'url',
    message: 'A notification link must be an in-app path: / followed by neither / nor a backslash.',
  },
  notifications_dedupe_key_length: { field: 'dedupe_key', message: 'A dedupe key must be 1 to 200 characters.' },

  notification_preferences_channel_valid: { field: 'channel', message: 'A channel is email or in_app.' },
  events_type_format: { field: 'type', message: 'An event type looks like task.created.' },
  events_changes_size: { field: 'changes', message: 'An event names at most 64 changed columns.' },
  webhook_policy_single_row: { message: 'There is one webhook policy row.' },
  webhook_endpoints_url_format: {
    field: 'url',
    message: 'A webhook URL is an http(s):// URL of at most 2,000 characters without spaces.',
  },
  webhook_endpoints_event_types_format: {
    field: 'event_types',
    message: 'Choose 1 to 30 event types such as task.* or task.completed.',
  },
  webhook_endpoints_description_length: {
    field: 'description',
    message: 'A webhook description can be at most 500 characters.',
  },
  webhook_endpoints_disabled_reason_length: {
    field: 'disabled_reason',
    message: 'A disable reason can be at most 500 characters.',
  },
  webhook_endpoint_secrets_format: {
    field: 'secret',
    message: 'A webhook secret looks like whsec_ and 40+ characters.',
  },
  webhook_endpoint_secrets_previous_format: {
    field: 'previous_secret',
    message: 'A webhook secret looks like whsec_ and 40+ characters.',
  },
  webhook_endpoint_secrets_previous_pair: {
    field: 'previous_expires_at',
    message: 'A previous secret needs an expiry time, and only then.',
  },
  webhook_deliveries_event_type_format: { field: 'event_type', message: 'An event type looks like task.created.' },
  webhook_deliveries_status_valid: {
    field: 'status',
    message: 'A delivery is pending, retrying, succeeded or failed.',
  },
  webhook_deliveries_attempt_range: { field: 'attempt', message: 'Attempts cannot be negative.' },
  webhook_deliveries_response_status_range: {
    field: 'response_status',
    message: 'An HTTP status is between 100 and 599.',
  },
  webhook_deliveries_latency_range: { field: 'latency_ms', message: 'Latency cannot be negative.' },
  webhook_deliveries_snippet_length: {
    field: 'response_snippet',
    message: 'A response snippet is at most 1 KB.',
  },
  webhook_deliveries_last_error_length: { field: 'last_error', message: 'An error text is at most 1,000 characters.' },
  webhook_deliveries_endpoint_event_unique: {
    field: 'event_id',
    message: 'This event already has a delivery to this endpoint.',
  },
};

type PgError = { code?: string; constraint?: string; column?: string; message?: string };

function isPgError(error: unknown): error is PgError {
  return typeof error === 'object' && error !== null && typeof (error as PgError).code === 'string';
}

/** Map any error to an AppError; unknown errors become a generic internal error. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (!isPgError(error)) return new AppError(ErrorCode.Internal, 'Something went wrong.', { cause: error });
  const known = error.constraint ? CONSTRAINT_MESSAGES[error.constraint] : undefined;
  const opts = { cause: error, ...(known?.field ? { field: known.field } : {}) };
  switch (error.code) {
    case '23514': // check_violation
    case '23502': // not_null_violation
      return new AppError(ErrorCode.Validation, known?.message ?? 'A value is missing or not allowed.', {
        ...opts,
        ...(error.column ? { field: error.column } : {}),
      });
    case '23505': // unique_violation
      return new AppError(ErrorCode.Conflict, known?.message ?? 'This already exists.', opts);
    case '23503': // foreign_key_violation
      return new AppError(ErrorCode.Validation, 'It refers to something that does not exist.', opts);
    case '22001': // string_data_right_truncation
    case '22003': // numeric_value_out_of_range
    case '22007': // invalid_datetime_format
    case '22008': // datetime_field_overflow
    case '22P02': // invalid_text_representation
    case '22023': // invalid_parameter_value
      return new AppError(ErrorCode.Validation, 'A value has the wrong format or is out of range.', opts);
    case '42501': // insufficient_privilege (RLS or grants)
      return new AppError(ErrorCode.Forbidden, 'You do not have access to this.', opts);
    case '40001': // serialization_failure
    case '40P01': // deadlock_detected
      return new AppError(ErrorCode.Conflict, 'Someone else changed this at the same time; try again.', opts);
    case '57014': // query_canceled (statement timeout)
    case '53300': // too_many_connections
      return new AppError(ErrorCode.Unavailable, 'The service is busy; try again shortly.', opts);
    default:
      // Any other data exception (class 22: a NUL byte, a bad escape, a malformed regex…)
      // is the caller's input, as PostgREST treats the whole class: a 400, not a 500.
      if (error.code?.startsWith('22')) {
        return new AppError(ErrorCode.Validation, 'A value has the wrong format or is out of range.', opts);
      }
      return new AppError(ErrorCode.Internal, 'Something went wrong.', opts);
  }
}
