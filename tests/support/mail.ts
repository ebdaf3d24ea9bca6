// A mail capture server of the test's own (free ports), and a mail__send task that sends
// to it: the real SMTP path, nothing mocked. Close it in after().
import { startMailCapture, type CapturedMail, type MailCapture } from '../../scripts/mail-capture.ts';
import { createMailTransport } from '../../lib/mail/transport.ts';
import { createAuthMailSend } from '../../workers/src/tasks/auth__mail.ts';
import { createMailSend } from '../../workers/src/tasks/mail__send.ts';
import { taskList } from '../../workers/src/task-list.ts';
import type { TaskList } from 'graphile-worker';

export type { CapturedMail, MailCapture };

export async function startTestMailCapture(): Promise<MailCapture> {
  return startMailCapture({ smtpPort: 0, httpPort: 0 });
}

/** The worker's task list with mail__send and auth__mail (identity emails) pointed at `capture`. */
export function taskListSendingTo(capture: MailCapture): { taskList: TaskList; close: () => void } {
  const transport = createMailTransport(capture.smtpUrl);
  return {
    taskList: {
      ...taskList,
      mail__send: createMailSend({ transport: () => transport }),
      auth__mail: createAuthMailSend({ transport: () => transport }),
    },
    close: () => transport.close(),
  };
}

/** Mails caught for one address (the envelope recipient), oldest first. */
export function mailsTo(capture: MailCapture, address: string): CapturedMail[] {
  return capture
    .messages()
    .filter((m) => m.envelope.to.includes(address))
    .reverse();
}
