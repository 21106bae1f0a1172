-- Baton store, schema version 4: the role rows of one user task, found by task. The primary key (role, task_id) serves the
-- inbox, which asks by role; closing, canceling or reassigning a user task deletes its role rows by task_id, which without
-- this index scanned every role row of every open user task on the writer.

CREATE INDEX ix_user_task_roles_task ON user_task_roles (task_id);
