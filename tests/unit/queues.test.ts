// Which worker class runs each task (workers/src/queues.ts): webhook deliveries must not
// take the critical runner's slots (nor count towards the critical depth that makes the
// gateway shed bulk calls), and housekeeping runs in the background class.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classMap } from '../../workers/src/queues.ts';
import { taskList } from '../../workers/src/task-list.ts';

test('every task has its class: webhooks apart, purges in the background, the rest critical', () => {
  const classes = classMap(taskList);
  assert.deepEqual(Object.keys(classes).sort(), Object.keys(taskList).sort());
  assert.equal(classes.events__webhooks, 'webhooks');
  assert.equal(classes.webhook_deliveries__send, 'webhooks');
  for (const task of Object.keys(taskList).filter((t) => t.includes('__purge'))) {
    assert.equal(classes[task], 'background', task);
  }
  assert.equal(classes.events__analytics, 'background');
  for (const task of ['events__notify', 'mail__send', 'reminders__fire', 'tasks__next_occurrence']) {
    assert.equal(classes[task], 'critical', task);
  }
});
