-- Serendip schema, version 1. Forward only: change it with a new numbered file, never by editing this one.

-- Everyone who was ever in a session or filed or received a report. Ids are opaque and anonymous.
CREATE TABLE users (
  id           text PRIMARY KEY,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);

-- One row per session that started; ended_at/ended_by/end_reason are filled when it ends.
CREATE TABLE sessions (
  session_id text PRIMARY KEY,
  user_a     text NOT NULL REFERENCES users (id),
  user_b     text NOT NULL REFERENCES users (id),
  mode       text NOT NULL CHECK (mode IN ('video', 'text')),
  started_at timestamptz NOT NULL,
  ended_at   timestamptz,
  ended_by   text,
  end_reason text CHECK (end_reason IN ('skip', 'end', 'disconnect', 'report', 'timeout')),
  CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
  CHECK (user_a <> user_b)
);
CREATE INDEX sessions_started_at ON sessions (started_at);
CREATE INDEX sessions_open ON sessions (started_at) WHERE ended_at IS NULL;
CREATE INDEX sessions_user_a ON sessions (user_a);
CREATE INDEX sessions_user_b ON sessions (user_b);

-- Who does not want to meet whom (a report also blocks). Matching reads the copy in Redis.
CREATE TABLE blocks (
  blocker    text NOT NULL REFERENCES users (id),
  blocked    text NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (blocker, blocked)
);

CREATE TABLE reports (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id text NOT NULL, -- no foreign key: the session row may be written by another instance a moment later
  reporter   text NOT NULL REFERENCES users (id),
  reported   text NOT NULL REFERENCES users (id),
  reason     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_reported ON reports (reported, created_at);

-- A ban keeps a user out of the queue until expires_at (NULL: for good).
CREATE TABLE bans (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    text NOT NULL,
  reason     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz
);
CREATE INDEX bans_user ON bans (user_id);
