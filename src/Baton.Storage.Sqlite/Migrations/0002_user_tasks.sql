-- Baton store, schema version 2: user tasks. A user task is a delegated task (service 'UserTask') plus who may do it.
-- Role rows exist only while the task is open, so an inbox never wades through finished tasks.

CREATE TABLE user_tasks (
    task_id      TEXT    NOT NULL PRIMARY KEY,
    name         TEXT    NOT NULL,
    name_folded  TEXT    NOT NULL,
    spec         TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    assignee     TEXT,
    roles        TEXT    NOT NULL,
    priority     INTEGER NOT NULL,
    due_at       INTEGER,
    follow_up_at INTEGER,
    enrich_path  TEXT,
    data_type    TEXT,
    claimed_by   TEXT,
    claimed_at   INTEGER,
    open         INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX ix_user_tasks_assignee ON user_tasks (assignee, created_at, task_id) WHERE open = 1 AND assignee IS NOT NULL;
CREATE INDEX ix_user_tasks_open ON user_tasks (created_at, task_id) WHERE open = 1;

CREATE TABLE user_task_roles (
    role    TEXT NOT NULL,
    task_id TEXT NOT NULL,
    PRIMARY KEY (role, task_id)
) WITHOUT ROWID;
