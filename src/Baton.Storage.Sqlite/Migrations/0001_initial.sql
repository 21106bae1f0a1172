-- Baton store, schema version 1. Times are INTEGER unix milliseconds (UTC); enums are stored by name.

CREATE TABLE workflows (
    id                TEXT    NOT NULL PRIMARY KEY,
    name              TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    input             TEXT,
    result            TEXT,
    error             TEXT,
    parent_id         TEXT,
    parent_command_id INTEGER,
    tags              TEXT    NOT NULL,
    meta              TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    completed_at      INTEGER,
    version           INTEGER NOT NULL,
    next_seq          INTEGER NOT NULL,
    pending           INTEGER NOT NULL DEFAULT 0,
    pending_since     INTEGER,
    lease_owner       TEXT,
    lease_until       INTEGER
);
CREATE INDEX ix_workflows_pending ON workflows (pending_since, id) WHERE pending = 1;
CREATE INDEX ix_workflows_created ON workflows (created_at, id);
CREATE INDEX ix_workflows_state_created ON workflows (state, created_at, id);
CREATE INDEX ix_workflows_name_created ON workflows (name, created_at, id);
CREATE INDEX ix_workflows_parent ON workflows (parent_id, state) WHERE parent_id IS NOT NULL;
CREATE INDEX ix_workflows_leased ON workflows (lease_owner) WHERE lease_owner IS NOT NULL;

CREATE TABLE workflow_tags (
    tag         TEXT    NOT NULL,
    workflow_id TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tag, created_at, workflow_id)
) WITHOUT ROWID;

CREATE TABLE history (
    workflow_id TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    command_id  INTEGER,
    name        TEXT,
    ref_id      TEXT,
    payload     TEXT,
    PRIMARY KEY (workflow_id, seq)
) WITHOUT ROWID;

CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    command_id  INTEGER NOT NULL,
    ref_id      TEXT,
    payload     TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX ix_inbox_workflow ON inbox (workflow_id, id);

CREATE TABLE tasks (
    task_id              TEXT    NOT NULL PRIMARY KEY,
    workflow_id          TEXT    NOT NULL,
    command_id           INTEGER NOT NULL,
    service_name         TEXT    NOT NULL,
    method_name          TEXT    NOT NULL,
    arguments            TEXT    NOT NULL,
    is_delegated         INTEGER NOT NULL,
    state                TEXT    NOT NULL,
    open                 INTEGER NOT NULL,
    attempt              INTEGER NOT NULL,
    deadline_at          INTEGER,
    heartbeat_interval   INTEGER,
    heartbeat_due_at     INTEGER,
    handler_timeout      INTEGER,
    retry_policy         TEXT,
    result_schema_id     TEXT,
    result               TEXT,
    error                TEXT,
    tags                 TEXT    NOT NULL,
    meta                 TEXT    NOT NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    delegated_at         INTEGER,
    completed_at         INTEGER,
    ready_at             INTEGER,
    lease_owner          TEXT,
    lease_until          INTEGER,
    progress_percent     REAL,
    progress_message     TEXT,
    progress_details     TEXT,
    progress_at          INTEGER
);
CREATE INDEX ix_tasks_claimable ON tasks (state, service_name, ready_at);
CREATE INDEX ix_tasks_service_open ON tasks (service_name, open, created_at, task_id);
CREATE INDEX ix_tasks_open ON tasks (open, created_at, task_id);
CREATE INDEX ix_tasks_state ON tasks (state, created_at, task_id);
CREATE INDEX ix_tasks_workflow ON tasks (workflow_id, created_at, task_id);
CREATE INDEX ix_tasks_open_deadline ON tasks (deadline_at, task_id) WHERE open = 1 AND deadline_at IS NOT NULL;
CREATE INDEX ix_tasks_leased ON tasks (lease_owner) WHERE lease_owner IS NOT NULL;

CREATE TABLE task_tags (
    tag        TEXT    NOT NULL,
    task_id    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tag, created_at, task_id)
) WITHOUT ROWID;

CREATE TABLE task_audit (
    task_id TEXT    NOT NULL,
    seq     INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    actor   TEXT    NOT NULL,
    via     TEXT    NOT NULL,
    detail  TEXT,
    data    TEXT,
    PRIMARY KEY (task_id, seq)
) WITHOUT ROWID;

CREATE TABLE timers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    due_at      INTEGER NOT NULL,
    workflow_id TEXT    NOT NULL,
    command_id  INTEGER,
    task_id     TEXT
);
CREATE INDEX ix_timers_due ON timers (due_at, id);
CREATE INDEX ix_timers_task ON timers (task_id) WHERE task_id IS NOT NULL;
CREATE INDEX ix_timers_workflow ON timers (workflow_id);

CREATE TABLE kv (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE schemas (
    schema_id TEXT NOT NULL PRIMARY KEY,
    schema    TEXT NOT NULL
) WITHOUT ROWID;
