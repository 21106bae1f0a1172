-- Baton store, schema version 5: open tasks are indexed apart from finished ones, as in the SQLite store's migration 5.
-- ix_tasks_open and ix_tasks_service_open held every task, with open before created_at; they now hold open tasks only,
-- and two indexes whose keys never change after a task's creation answer the listings of all tasks (of all services, of
-- one service), so a listing that does not say open or closed no longer merges a closed and an open arm. SQLite moved
-- two entries at every outcome and now deletes them. PostgreSQL never moves an entry (an update that changes an indexed
-- column writes a new entry in every index whose condition the new row meets), so here the change buys one schema and
-- one listing statement for both stores; the DRT measured the same before and after (bench/RESULTS.md, push 20).

DROP INDEX ix_tasks_open;
DROP INDEX ix_tasks_service_open;
CREATE INDEX ix_tasks_created ON tasks (created_at, task_id);
CREATE INDEX ix_tasks_service ON tasks (service_name, created_at, task_id);
CREATE INDEX ix_tasks_open ON tasks (created_at, task_id) WHERE open;
CREATE INDEX ix_tasks_service_open ON tasks (service_name, created_at, task_id) WHERE open;
