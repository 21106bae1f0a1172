-- Baton store, schema version 5: a task's outcome takes it out of the open-task indexes instead of moving it inside them.
-- ix_tasks_open (open, created_at, task_id) and ix_tasks_service_open (service_name, open, created_at, task_id) held every
-- task with open before created_at, so each outcome moved the task's entry in both from the open to the closed part: two
-- deletes and two inserts on the writer for every completion. Now those two hold open tasks only (an outcome deletes their
-- entries), and every task is in two indexes whose keys never change after its creation (listings of all tasks, of all
-- of one service). A listing that does not say open or closed no longer merges a closed and an open arm.

DROP INDEX ix_tasks_open;
DROP INDEX ix_tasks_service_open;
CREATE INDEX ix_tasks_created ON tasks (created_at, task_id);
CREATE INDEX ix_tasks_service ON tasks (service_name, created_at, task_id);
CREATE INDEX ix_tasks_open ON tasks (created_at, task_id) WHERE open;
CREATE INDEX ix_tasks_service_open ON tasks (service_name, created_at, task_id) WHERE open;
