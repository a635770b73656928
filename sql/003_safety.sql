-- Safety: a durable anonymous identity (the device cookie) and a keyed hash of the address for
-- limits, blocks, reports and bans; secrets shared by every instance; bans that can be lifted.

-- Values every instance shares, made once by whichever starts first (e.g. the identity secret).
CREATE TABLE settings (
  name       text PRIMARY KEY,
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A user row is one connection; it now says which device it came from and the address hash.
ALTER TABLE users ADD COLUMN device_id text, ADD COLUMN ip_hash text;
CREATE INDEX users_device ON users (device_id);

-- Reports name the devices, the reported one's address hash, and a category.
ALTER TABLE reports
  ADD COLUMN category text,
  ADD COLUMN reporter_device text,
  ADD COLUMN reported_device text,
  ADD COLUMN reported_ip_hash text;
CREATE INDEX reports_reported_device ON reports (reported_device, created_at);
CREATE INDEX reports_created ON reports (created_at);

-- Devices that must never meet again, for good (a report blocks both ways); a < b.
CREATE TABLE device_blocks (
  a          text NOT NULL,
  b          text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (a, b),
  CHECK (a < b)
);
CREATE INDEX device_blocks_b ON device_blocks (b);

-- Bans by device or by address hash (or the old per-connection user id), until expires_at
-- (NULL: for good); lifting one keeps its row.
ALTER TABLE bans
  ALTER COLUMN user_id DROP NOT NULL,
  ADD COLUMN device_id text,
  ADD COLUMN ip_hash text,
  ADD COLUMN lifted_at timestamptz,
  ADD COLUMN created_by text NOT NULL DEFAULT 'system';
CREATE INDEX bans_device ON bans (device_id);
CREATE INDEX bans_ip ON bans (ip_hash);
ALTER TABLE bans ADD CONSTRAINT bans_names_someone CHECK (num_nonnulls(user_id, device_id, ip_hash) >= 1);
