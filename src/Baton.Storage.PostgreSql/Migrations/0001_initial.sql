-- Baton store, schema version 1. Times are BIGINT unix milliseconds (UTC); enums are stored by name.

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
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    completed_at      BIGINT,
    version           BIGINT  NOT NULL,
    next_seq          BIGINT  NOT NULL,
    pending           BOOLEAN NOT NULL DEFAULT FALSE,
    pending_since     BIGINT,
    lease_owner       TEXT,
    lease_until       BIGINT
);
CREATE INDEX ix_workflows_pending ON workflows (pending_since, id) WHERE pending;
CREATE INDEX ix_workflows_created ON workflows (created_at, id);
CREATE INDEX ix_workflows_state_created ON workflows (state, created_at, id);
CREATE INDEX ix_workflows_name_created ON workflows (name, created_at, id);
CREATE INDEX ix_workflows_parent ON workflows (parent_id, state) WHERE parent_id IS NOT NULL;

CREATE TABLE workflow_tags (
    tag         TEXT   NOT NULL,
    workflow_id TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tag, created_at, workflow_id)
);

CREATE TABLE history (
    workflow_id TEXT    NOT NULL,
    seq         BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    at          BIGINT  NOT NULL,
    command_id  INTEGER,
    name        TEXT,
    ref_id      TEXT,
    payload     TEXT,
    PRIMARY KEY (workflow_id, seq)
);

CREATE TABLE inbox (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workflow_id TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    command_id  INTEGER NOT NULL,
    ref_id      TEXT,
    payload     TEXT,
    at          BIGINT  NOT NULL
);
CREATE INDEX ix_inbox_workflow ON inbox (workflow_id, id);

CREATE TABLE tasks (
    task_id              TEXT    NOT NULL PRIMARY KEY,
    workflow_id          TEXT    NOT NULL,
    command_id           INTEGER NOT NULL,
    service_name         TEXT    NOT NULL,
    method_name          TEXT    NOT NULL,
    arguments            TEXT    NOT NULL,
    is_delegated         BOOLEAN NOT NULL,
    state                TEXT    NOT NULL,
    open                 BOOLEAN NOT NULL,
    attempt              INTEGER NOT NULL,
    deadline_at          BIGINT,
    heartbeat_interval   BIGINT,
    heartbeat_due_at     BIGINT,
    handler_timeout      BIGINT,
    retry_policy         TEXT,
    result_schema_id     TEXT,
    result               TEXT,
    error                TEXT,
    tags                 TEXT    NOT NULL,
    meta                 TEXT    NOT NULL,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    delegated_at         BIGINT,
    completed_at         BIGINT,
    ready_at             BIGINT,
    lease_owner          TEXT,
    lease_until          BIGINT,
    progress_percent     DOUBLE PRECISION,
    progress_message     TEXT,
    progress_details     TEXT,
    progress_at          BIGINT
);
CREATE INDEX ix_tasks_claimable ON tasks (state, service_name, ready_at);
CREATE INDEX ix_tasks_service_open ON tasks (service_name, open, created_at, task_id);
CREATE INDEX ix_tasks_open ON tasks (open, created_at, task_id);
CREATE INDEX ix_tasks_state ON tasks (state, created_at, task_id);
CREATE INDEX ix_tasks_workflow ON tasks (workflow_id, created_at, task_id);
CREATE INDEX ix_tasks_open_deadline ON tasks (deadline_at, task_id) WHERE open AND deadline_at IS NOT NULL;

CREATE TABLE task_tags (
    tag        TEXT   NOT NULL,
    task_id    TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tag, created_at, task_id)
);

CREATE TABLE task_audit (
    task_id TEXT   NOT NULL,
    seq     BIGINT NOT NULL,
    at      BIGINT NOT NULL,
    kind    TEXT   NOT NULL,
    actor   TEXT   NOT NULL,
    via     TEXT   NOT NULL,
    detail  TEXT,
    data    TEXT,
    PRIMARY KEY (task_id, seq)
);

CREATE TABLE timers (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        TEXT    NOT NULL,
    due_at      BIGINT  NOT NULL,
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
);

CREATE TABLE schemas (
    schema_id TEXT NOT NULL PRIMARY KEY,
    schema    TEXT NOT NULL
);
