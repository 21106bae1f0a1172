-- Baton store, schema version 3: claim indexes in claim order. A claim takes, per hosted service, the oldest tasks by
-- (ready_at, task_id); these partial indexes hold exactly the rows a claim looks at, in that order, so a claim reads the
-- tasks it takes instead of sorting the whole backlog. They replace ix_tasks_claimable (state, service_name, ready_at),
-- which held every task of every state and left the order to a sort; nothing else reads it.

DROP INDEX ix_tasks_claimable;
CREATE INDEX ix_tasks_scheduled ON tasks (service_name, ready_at, task_id) WHERE state = 'Scheduled';
CREATE INDEX ix_tasks_running ON tasks (service_name, ready_at, task_id) WHERE state = 'Running';
