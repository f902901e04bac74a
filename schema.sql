-- banditore database schema (SQLite).
--
-- Each "-- migration N: ..." section runs once, in order, inside one
-- transaction that also sets PRAGMA user_version = N. Never edit a section
-- that has shipped: add a new one. Times are Unix milliseconds (UTC).
--
-- Privacy: no column holds a phone number in clear. A number is found by
-- phone_hash = HMAC-SHA256(lookup key, E.164 digits) and read back only from
-- AES-256-GCM ciphertext (nonce || ciphertext || tag). Message ids issued by
-- WhatsApp ("wamid...") encode the recipient's number, so they too are kept
-- only as keyed hashes.

-- migration 1: subscriptions, inbound messages, consent log, outbox
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- Per-number state that needs no number: the 24-hour customer-service
-- window and the help-text rate limit survive an unsubscription.
CREATE TABLE contacts (
  phone_hash      BLOB PRIMARY KEY,
  last_inbound_at INTEGER,
  last_help_at    INTEGER
) WITHOUT ROWID;

CREATE TABLE subscribers (
  id            INTEGER PRIMARY KEY,
  phone_hash    BLOB NOT NULL UNIQUE,
  phone_cipher  BLOB NOT NULL,
  language      TEXT NOT NULL DEFAULT 'it',
  source        TEXT NOT NULL DEFAULT 'whatsapp',
  subscribed_at INTEGER NOT NULL
);

-- Meta delivers webhooks at least once: a message id seen here is never
-- acted on again. The decision and the (normalised, digit-masked) text it
-- came from are kept as the record of what the service understood.
CREATE TABLE inbound_messages (
  message_hash BLOB PRIMARY KEY,
  phone_hash   BLOB NOT NULL,
  type         TEXT NOT NULL,
  decision     TEXT NOT NULL,
  matched_text TEXT,
  sent_at      INTEGER,
  received_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX inbound_messages_by_time ON inbound_messages(received_at);

-- Proof of consent without the number.
CREATE TABLE consent_log (
  id           INTEGER PRIMARY KEY,
  phone_hash   BLOB NOT NULL,
  event        TEXT NOT NULL,
  message_hash BLOB,
  at           INTEGER NOT NULL
);
CREATE INDEX consent_log_by_phone ON consent_log(phone_hash, at);

-- The only way a message leaves. A reply carries its recipient encrypted
-- (erased once the row is final); a broadcast delivery points at its
-- subscriber, so Disattiva mid-broadcast leaves nothing to send.
CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY,
  priority         INTEGER NOT NULL,
  state            TEXT NOT NULL DEFAULT 'queued',
  phone_hash       BLOB NOT NULL,
  recipient_cipher BLOB,
  body             TEXT,
  alert_id         INTEGER,
  subscriber_id    INTEGER,
  attempts         INTEGER NOT NULL DEFAULT 0,
  not_before       INTEGER NOT NULL,
  lease_until      INTEGER,
  provider_hash    BLOB,
  error_code       INTEGER,
  error_title      TEXT,
  created_at       INTEGER NOT NULL,
  sent_at          INTEGER,
  delivered_at     INTEGER,
  read_at          INTEGER,
  updated_at       INTEGER NOT NULL,
  UNIQUE (alert_id, subscriber_id)
);
-- A status notification can overtake the send response that tells us the
-- message id; it waits here until the send is recorded.
CREATE TABLE early_statuses (
  provider_hash BLOB NOT NULL,
  status        TEXT NOT NULL,
  at            INTEGER NOT NULL,
  error_code    INTEGER,
  error_title   TEXT,
  received_at   INTEGER NOT NULL,
  PRIMARY KEY (provider_hash, status)
) WITHOUT ROWID;

CREATE INDEX outbox_due ON outbox(priority, not_before, id) WHERE state = 'queued';
CREATE INDEX outbox_leased ON outbox(lease_until) WHERE state = 'sending';
CREATE UNIQUE INDEX outbox_by_provider ON outbox(provider_hash) WHERE provider_hash IS NOT NULL;

-- migration 2: API keys, alerts, audit log, delivery formats
-- Only a SHA-256 of each API token is kept; the token is shown once.
CREATE TABLE api_keys (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  token_hash   BLOB NOT NULL UNIQUE,
  token_prefix TEXT NOT NULL,
  scopes       TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER,
  last_used_at INTEGER
);

CREATE TABLE alerts (
  id               INTEGER PRIMARY KEY,
  category         TEXT NOT NULL,
  severity         TEXT NOT NULL,
  title            TEXT NOT NULL,
  text             TEXT NOT NULL,
  priority         INTEGER NOT NULL,
  state            TEXT NOT NULL DEFAULT 'planning',
  source           TEXT NOT NULL DEFAULT 'api',
  api_key_id       INTEGER REFERENCES api_keys(id),
  idempotency_key  TEXT,
  request_hash     BLOB,
  expires_at       INTEGER,
  not_before       INTEGER NOT NULL,
  planned_through  INTEGER NOT NULL DEFAULT 0,
  planned_count    INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  cancelled_at     INTEGER,
  finished_at      INTEGER,
  UNIQUE (api_key_id, idempotency_key)
);
CREATE INDEX alerts_to_plan ON alerts(priority, id) WHERE state = 'planning';

CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  alert_id   INTEGER,
  api_key_id INTEGER,
  detail     TEXT
);

-- A delivery sent as text that WhatsApp refuses outside the 24-hour window
-- (131047) goes again as the approved template.
ALTER TABLE outbox ADD COLUMN as_template INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_by_alert ON outbox(alert_id, state) WHERE alert_id IS NOT NULL;

-- Subscribers whose deliveries keep failing permanently are flagged.
ALTER TABLE subscribers ADD COLUMN failure_streak INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscribers ADD COLUMN flagged_at INTEGER;

-- WhatsApp's messaging limit counts unique people reached outside their
-- 24-hour window per moving day.
ALTER TABLE contacts ADD COLUMN last_initiated_at INTEGER;
CREATE INDEX contacts_by_initiated ON contacts(last_initiated_at) WHERE last_initiated_at IS NOT NULL;

-- migration 3: CAP alerts
-- Every CAP document received, pushed or fetched from a feed, and what was
-- decided about it. A sender may repeat a document (retries, a feed listing
-- it for days): sender, identifier and sent name it once. sent is kept
-- normalised to UTC ("2024-07-14T13:02:11Z"), so a reference written with
-- another offset still finds it. alert_id is the broadcast it became.
CREATE TABLE cap_alerts (
  id          INTEGER PRIMARY KEY,
  sender      TEXT NOT NULL,
  identifier  TEXT NOT NULL,
  sent        TEXT NOT NULL,
  status      TEXT,
  msg_type    TEXT,
  verdict     TEXT NOT NULL,
  reason      TEXT,
  alert_id    INTEGER,
  received_at INTEGER NOT NULL,
  UNIQUE (sender, identifier, sent)
);

-- Conditional GET state of each polled feed, and its consecutive failures
-- (they set the back-off).
CREATE TABLE cap_feed_state (
  url            TEXT PRIMARY KEY,
  etag           TEXT,
  last_modified  TEXT,
  last_polled_at INTEGER,
  failures       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- CAP document URLs already fetched from a feed: a feed lists the same
-- documents at every poll, and only the URL is known before fetching.
CREATE TABLE cap_feed_seen (
  url        TEXT PRIMARY KEY,
  fetched_at INTEGER NOT NULL
) WITHOUT ROWID;

-- migration 4: delivery lookups and progress that stay cheap at a million rows
-- Sends carry their outbox id as biz_opaque_callback_data and statuses echo
-- it back, so nothing looks a row up by message id any more: an index over
-- random message ids cost one page write per send. Statuses of messages
-- sent before this migration no longer match a delivery.
DROP INDEX outbox_by_provider;

-- Deliveries per alert and state, kept by triggers in the transaction of
-- every change, so an alert's progress is read without counting its rows
-- (a million lookups at every poll would stall the sender). Rows purged
-- later by retention stay counted: the summary outlives the rows.
CREATE TABLE alert_progress (
  alert_id INTEGER NOT NULL,
  state    TEXT NOT NULL,
  count    INTEGER NOT NULL,
  PRIMARY KEY (alert_id, state)
) WITHOUT ROWID;
INSERT INTO alert_progress (alert_id, state, count)
  SELECT alert_id, state, COUNT(*) FROM outbox WHERE alert_id IS NOT NULL GROUP BY alert_id, state;
ALTER TABLE alerts ADD COLUMN first_sent_at INTEGER;
ALTER TABLE alerts ADD COLUMN last_sent_at INTEGER;
UPDATE alerts SET first_sent_at = (SELECT MIN(sent_at) FROM outbox WHERE alert_id = alerts.id),
                  last_sent_at = (SELECT MAX(sent_at) FROM outbox WHERE alert_id = alerts.id);

CREATE TRIGGER alert_progress_insert AFTER INSERT ON outbox WHEN NEW.alert_id IS NOT NULL
BEGIN
  INSERT INTO alert_progress (alert_id, state, count) VALUES (NEW.alert_id, NEW.state, 1)
    ON CONFLICT (alert_id, state) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER alert_progress_update AFTER UPDATE OF state ON outbox
  WHEN NEW.alert_id IS NOT NULL AND NEW.state <> OLD.state
BEGIN
  UPDATE alert_progress SET count = count - 1 WHERE alert_id = OLD.alert_id AND state = OLD.state;
  INSERT INTO alert_progress (alert_id, state, count) VALUES (NEW.alert_id, NEW.state, 1)
    ON CONFLICT (alert_id, state) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER alert_sent_times AFTER UPDATE OF sent_at ON outbox
  WHEN NEW.alert_id IS NOT NULL AND NEW.sent_at IS NOT NULL
BEGIN
  UPDATE alerts SET first_sent_at = MIN(COALESCE(first_sent_at, NEW.sent_at), NEW.sent_at),
                    last_sent_at = MAX(COALESCE(last_sent_at, NEW.sent_at), NEW.sent_at)
    WHERE id = NEW.alert_id AND (first_sent_at IS NULL OR first_sent_at > NEW.sent_at OR last_sent_at < NEW.sent_at);
END;

-- Deliveries held by WhatsApp's messaging limit, counted without a scan.
CREATE INDEX outbox_waiting ON outbox(alert_id)
  WHERE state = 'queued' AND error_title = 'waiting for the messaging limit';

-- migration 5: leasing and sending a delivery write less
-- An alert's progress counts queued and sending deliveries together as
-- 'pending': a lease (queued to sending) and a retry (back to queued) then
-- change no count. How many are sending is read from the outbox, where
-- they are at most the requests in flight.
DROP TRIGGER alert_progress_insert;
DROP TRIGGER alert_progress_update;
INSERT INTO alert_progress (alert_id, state, count)
  SELECT alert_id, 'pending', SUM(count) FROM alert_progress WHERE state IN ('queued', 'sending') GROUP BY alert_id;
DELETE FROM alert_progress WHERE state IN ('queued', 'sending');
CREATE TRIGGER alert_progress_insert AFTER INSERT ON outbox WHEN NEW.alert_id IS NOT NULL
BEGIN
  INSERT INTO alert_progress (alert_id, state, count)
    VALUES (NEW.alert_id, CASE WHEN NEW.state IN ('queued', 'sending') THEN 'pending' ELSE NEW.state END, 1)
    ON CONFLICT (alert_id, state) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER alert_progress_update AFTER UPDATE OF state ON outbox
  WHEN NEW.alert_id IS NOT NULL AND NEW.state <> OLD.state
   AND NOT (NEW.state IN ('queued', 'sending') AND OLD.state IN ('queued', 'sending'))
BEGIN
  UPDATE alert_progress SET count = count - 1
    WHERE alert_id = OLD.alert_id
      AND state = CASE WHEN OLD.state IN ('queued', 'sending') THEN 'pending' ELSE OLD.state END;
  INSERT INTO alert_progress (alert_id, state, count)
    VALUES (NEW.alert_id, CASE WHEN NEW.state IN ('queued', 'sending') THEN 'pending' ELSE NEW.state END, 1)
    ON CONFLICT (alert_id, state) DO UPDATE SET count = count + 1;
END;
-- Deliveries by alert are looked up only while pending (cancel, finish,
-- expiry, the sending count): final ones leave the index instead of moving
-- within it, which kept a million entries for a sent alert.
DROP INDEX outbox_by_alert;
CREATE INDEX outbox_pending_by_alert ON outbox(alert_id, state) WHERE state IN ('queued', 'sending');
-- Only the sender's record of an accepted send sets sent_at, and it stamps
-- a whole batch with one time: it updates the alert's first and last send
-- once per batch instead of this trigger once per delivery.
DROP TRIGGER alert_sent_times;

-- migration 6: a lease leaves the alert's pending index where it is
-- Keyed (alert_id, state), the index moved an entry from the queued to the
-- sending range at every lease, a page apart. Keyed by alert alone, the
-- entry is rewritten in place; the sending count reads the leased rows
-- (outbox_leased), which are at most the requests in flight.
DROP INDEX outbox_pending_by_alert;
CREATE INDEX outbox_pending_by_alert ON outbox(alert_id) WHERE state IN ('queued', 'sending');

-- migration 7: what the phone shows, and what went wrong
-- An alert may carry a link to the town's page, shown on its own line.
ALTER TABLE alerts ADD COLUMN link TEXT;
-- The same alert posted again moments later without an Idempotency-Key is
-- found among the recent alerts (a double click must not send twice).
CREATE INDEX alerts_by_created ON alerts(created_at);
-- The notice welcoming an imported number: while it waits, that person's
-- other alerts wait behind it.
ALTER TABLE subscribers ADD COLUMN welcome_alert_id INTEGER;
-- Deliveries with an error, counted per alert, state and code for the
-- alert's report without reading its sent rows: a send that succeeds
-- clears the error, so this index holds failures and retries only.
CREATE INDEX outbox_errors ON outbox(alert_id, state, error_code, error_title)
  WHERE error_code IS NOT NULL OR error_title IS NOT NULL;

-- migration 8: replies with buttons
-- A reply that asks ("Vuoi ricevere gli avvisi?") carries WhatsApp reply
-- buttons: a JSON array of {"id", "title"}; NULL for every other row.
ALTER TABLE outbox ADD COLUMN buttons TEXT;

-- migration 9: towns, topics and areas
-- The audience a deployment offers its citizens, managed at run time
-- (REST /v1/towns, /v1/topics, /v1/areas; `banditore towns|topics|areas`).
-- Ids are lowercase letters, digits and dashes; keywords a JSON array of
-- strings. Rows are listed in rowid order, the order they were added. The
-- default topics and the configured town are written at the first start
-- after this migration (meta 'audience_seeded'), since the town comes from
-- the configuration, not from this file. No column holds anything about a
-- citizen.
CREATE TABLE towns (
  id         TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  istat_code TEXT,
  keywords   TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE topics (
  id         TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  keywords   TEXT NOT NULL DEFAULT '[]',
  in_default INTEGER NOT NULL DEFAULT 1
);
-- polygon: reserved for a boundary (GeoJSON), unused so far.
CREATE TABLE areas (
  id       TEXT NOT NULL UNIQUE,
  town_id  TEXT NOT NULL REFERENCES towns(id),
  name     TEXT NOT NULL,
  keywords TEXT NOT NULL DEFAULT '[]',
  polygon  TEXT
);
CREATE INDEX areas_by_town ON areas(town_id);

-- migration 10: what each subscriber chose
-- A subscriber receives the alerts of the towns, topics and areas listed
-- here for them; no area means the whole town. Keyed by the choice first,
-- so the planner reads the audience of an alert by town, topic or area
-- through the key, in subscriber order, without reading every subscriber;
-- the second index serves Disattiva (the rows go with the subscriber) and
-- "Stato". Choices name catalogue ids: removing a town, topic or area that
-- someone chose is refused. Subscribers from before this migration get the
-- deployment's town and the default topics at the first start
-- (meta 'choices_seeded'), like the catalogue itself.
-- only_severe: "Solo emergenze", only severe and extreme alerts.
ALTER TABLE subscribers ADD COLUMN only_severe INTEGER NOT NULL DEFAULT 0;
CREATE TABLE subscriber_towns (
  town_id       TEXT NOT NULL REFERENCES towns(id),
  subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
  PRIMARY KEY (town_id, subscriber_id)
) WITHOUT ROWID;
CREATE INDEX subscriber_towns_by_subscriber ON subscriber_towns(subscriber_id);
CREATE TABLE subscriber_topics (
  topic_id      TEXT NOT NULL REFERENCES topics(id),
  subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
  PRIMARY KEY (topic_id, subscriber_id)
) WITHOUT ROWID;
CREATE INDEX subscriber_topics_by_subscriber ON subscriber_topics(subscriber_id);
CREATE TABLE subscriber_areas (
  area_id       TEXT NOT NULL REFERENCES areas(id),
  subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
  PRIMARY KEY (area_id, subscriber_id)
) WITHOUT ROWID;
CREATE INDEX subscriber_areas_by_subscriber ON subscriber_areas(subscriber_id);

-- migration 11: drafts, and the news of the towns' websites
-- An alert not sent yet. A news item of a town's website becomes one
-- (source 'news'), never sent by itself: a person sends it as an alert
-- (POST /v1/alerts with draft_id, which marks it sent in the same
-- transaction) or discards it. A news draft is named by its feed and the
-- item's id (news_key, a SHA-256: ids are often long URLs); news_hash
-- (title, summary, link) tells a changed item, which rewrites its draft
-- while it is still a draft and never makes a second one.
CREATE TABLE drafts (
  id           INTEGER PRIMARY KEY,
  source       TEXT NOT NULL,
  town_id      TEXT,
  category     TEXT NOT NULL DEFAULT 'other',
  severity     TEXT NOT NULL DEFAULT 'minor',
  title        TEXT NOT NULL,
  text         TEXT NOT NULL,
  link         TEXT,
  state        TEXT NOT NULL DEFAULT 'draft',
  alert_id     INTEGER REFERENCES alerts(id),
  news_feed    TEXT,
  news_key     BLOB,
  news_hash    BLOB,
  published_at INTEGER,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX drafts_by_news ON drafts(news_key) WHERE news_key IS NOT NULL;
CREATE INDEX drafts_by_state ON drafts(state, id);
-- Conditional GET state of each polled news feed, and its consecutive
-- failures (they set the back-off).
CREATE TABLE news_feed_state (
  url            TEXT PRIMARY KEY,
  etag           TEXT,
  last_modified  TEXT,
  failures       INTEGER NOT NULL DEFAULT 0,
  last_polled_at INTEGER,
  last_ok_at     INTEGER
) WITHOUT ROWID;

-- migration 12: staff accounts and their sessions
-- The console's users. Only an Argon2id hash of each password (libsodium's
-- string, salt and cost inside it); the TOTP secret sealed with AES-256-GCM
-- under the data keys as phone numbers are (aad 'staff-totp:<id>', so
-- `banditore rotate-keys` reseals it too); email in lower case; towns a
-- comma list of town ids, '' for every town.
CREATE TABLE staff_users (
  id             INTEGER PRIMARY KEY,
  email          TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  role           TEXT NOT NULL CHECK (role IN ('editor', 'publisher', 'admin')),
  towns          TEXT NOT NULL DEFAULT '',
  password_hash  TEXT NOT NULL,
  totp_cipher    BLOB,
  totp_last_step INTEGER,
  disabled_at    INTEGER,
  failed_logins  INTEGER NOT NULL DEFAULT 0,
  last_login_at  INTEGER,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
-- One-time recovery codes: SHA-256 of each (80 random bits), deleted when used.
CREATE TABLE staff_recovery_codes (
  user_id   INTEGER NOT NULL REFERENCES staff_users(id),
  code_hash BLOB NOT NULL,
  PRIMARY KEY (user_id, code_hash)
) WITHOUT ROWID;
-- Only the SHA-256 of a session token; expires_at is the absolute expiry,
-- last_seen_at measures the idle one.
CREATE TABLE staff_sessions (
  id           INTEGER PRIMARY KEY,
  token_hash   BLOB NOT NULL UNIQUE,
  user_id      INTEGER NOT NULL REFERENCES staff_users(id),
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX staff_sessions_by_user ON staff_sessions(user_id);

-- migration 13: the public archive
-- Whether an alert appears on the public pages and feeds (/avvisi, the
-- Atom and CAP feeds): public by default, 0 for the rare alert the press
-- office marks "non pubblicare". The archive is read newest first by id,
-- so this partial index is the archive itself.
ALTER TABLE alerts ADD COLUMN public INTEGER NOT NULL DEFAULT 1;
CREATE INDEX alerts_public ON alerts(id) WHERE public = 1;

-- migration 14: choices made on WhatsApp, and town boundaries
-- Every change a citizen makes to what they receive is one consent_log
-- row: its event ("subscribe", "add", "remove", "everything",
-- "only_severe", "located", ...) and the ids it concerns, comma-separated
-- catalogue ids (never a name, a number or a coordinate). polygon: a
-- town's boundary as GeoJSON, like areas.polygon, used to place a shared
-- location; the point itself is never stored.
ALTER TABLE consent_log ADD COLUMN town_ids TEXT;
ALTER TABLE consent_log ADD COLUMN topic_ids TEXT;
ALTER TABLE consent_log ADD COLUMN area_ids TEXT;
ALTER TABLE towns ADD COLUMN polygon TEXT;

-- migration 15: alerts for an audience, keys limited to towns
-- An alert's towns, topics and areas as JSON arrays of catalogue ids;
-- NULL means all (every alert before this migration). Who they reach is
-- the rule of domain/alert_audience.hpp, read by the planner through the
-- choice tables' keys.
ALTER TABLE alerts ADD COLUMN towns TEXT;
ALTER TABLE alerts ADD COLUMN topics TEXT;
ALTER TABLE alerts ADD COLUMN areas TEXT;
-- A key limited to towns (a town's press office) sends only there: a JSON
-- array of town ids; NULL for a key that may send anywhere.
ALTER TABLE api_keys ADD COLUMN towns TEXT;

-- migration 16: an alert that updates an earlier one
-- updates: the earlier alert this one replaces (POST /v1/alerts with
-- "updates", or a CAP Update naming it). Its queued deliveries stop; the
-- public pages link the two and the CAP feed publishes an Update that
-- references the earlier document. No foreign key: alerts are never
-- deleted, and the API checks the id exists before it is written.
ALTER TABLE alerts ADD COLUMN updates INTEGER;
CREATE INDEX alerts_updated ON alerts(updates) WHERE updates IS NOT NULL;

-- migration 17: drafts written by people, and their approval
-- A draft now also comes from a person (source 'staff' or 'api') or from a
-- CAP alert held for a decision (source 'cap'). Its audience is stored as
-- alerts' is (JSON arrays of ids, NULL for all); send_at schedules it.
-- States: draft -> pending (submitted) -> sent (approved and sent in one
-- transaction), or rejected (reject_reason) -> editable again; discarded.
-- author is who wrote it as the audit log names them ("key:NAME",
-- "staff:ID"), edited_by who changed it last: neither can approve it
-- (domain/draft_decision.hpp). decision says how it left: approve,
-- direct, bypass (the emergency capability), or reject. revision grows with each
-- edit, so an approval applies to the text that was read.
ALTER TABLE drafts ADD COLUMN towns TEXT;
ALTER TABLE drafts ADD COLUMN topics TEXT;
ALTER TABLE drafts ADD COLUMN areas TEXT;
ALTER TABLE drafts ADD COLUMN expires_at INTEGER;
ALTER TABLE drafts ADD COLUMN send_at INTEGER;
ALTER TABLE drafts ADD COLUMN public INTEGER NOT NULL DEFAULT 1;
ALTER TABLE drafts ADD COLUMN author TEXT;
ALTER TABLE drafts ADD COLUMN author_key_id INTEGER REFERENCES api_keys(id);
ALTER TABLE drafts ADD COLUMN edited_by TEXT;
ALTER TABLE drafts ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE drafts ADD COLUMN submitted_at INTEGER;
ALTER TABLE drafts ADD COLUMN decided_by TEXT;
ALTER TABLE drafts ADD COLUMN decided_at INTEGER;
ALTER TABLE drafts ADD COLUMN decision TEXT;
ALTER TABLE drafts ADD COLUMN reject_reason TEXT;
-- A CAP document held as a draft names it, so the alert its approval
-- creates is linked back (alert_id) and a later Cancel or Update of the
-- document finds it.
ALTER TABLE cap_alerts ADD COLUMN draft_id INTEGER REFERENCES drafts(id);

-- migration 18: message models
-- An alert's usual words with blanks ("Interruzione idrica in via ___"),
-- filled in order into a draft (domain/message_model.hpp). created_by is
-- the actor's name as in the audit log ("key:<name>"). A draft made from a
-- model keeps no link to it: deleting or changing a model leaves its
-- drafts as they are.
CREATE TABLE message_models (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  text       TEXT NOT NULL,
  category   TEXT NOT NULL DEFAULT 'other',
  severity   TEXT NOT NULL DEFAULT 'minor',
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- migration 19: one attachment for an alert
-- An image (JPEG, PNG) or a document (PDF) uploaded with POST /v1/media,
-- checked by its bytes (domain/media_rules.hpp) and kept here whole: the
-- sender uploads it to the Cloud API once per alert. sha256 names the
-- bytes: the same file uploaded again is the same row.
CREATE TABLE media (
  id         INTEGER PRIMARY KEY,
  mime_type  TEXT NOT NULL CHECK (mime_type IN ('image/jpeg', 'image/png', 'application/pdf')),
  filename   TEXT,
  size       INTEGER NOT NULL,
  sha256     BLOB NOT NULL UNIQUE,
  bytes      BLOB NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
-- The alert's attachment, sent inside the 24-hour window as an image or
-- document message with the alert's text as its caption; NULL: none.
ALTER TABLE alerts ADD COLUMN media_id INTEGER REFERENCES media(id);

-- migration 20: several business numbers
-- The business number a row leaves from: the id a number has in the
-- numbers file (BANDITORE_NUMBERS_FILE, config/numbers.hpp); NULL with one
-- number. A reply leaves from the number the citizen wrote to, a delivery
-- from the number of the town the alert is for among the subscriber's
-- towns. Each number's sender leases its own rows, through this index.
ALTER TABLE outbox ADD COLUMN number_id TEXT;
CREATE INDEX outbox_due_by_number ON outbox(number_id, priority, not_before, id) WHERE state = 'queued';
-- WhatsApp's 24-hour customer-service window is opened per business number
-- and person: a message to one town's number opens no window on another.
-- Written only when several numbers are configured (contacts keeps the
-- window of the deployment's one number).
CREATE TABLE number_windows (
  phone_hash      BLOB NOT NULL,
  number_id       TEXT NOT NULL,
  last_inbound_at INTEGER NOT NULL,
  PRIMARY KEY (phone_hash, number_id)
) WITHOUT ROWID;

-- migration 21: alerts scheduled for a later time
-- An alert given a send_at in the future waits in state 'scheduled' with
-- not_before = send_at; the scheduler (dispatch/scheduler) moves it to
-- 'planning' when due, in one transaction with its audit row, so it leaves
-- once even across a restart. The planner then reaches the people
-- subscribed by send_at, not only those subscribed when it was written.
ALTER TABLE alerts ADD COLUMN send_at INTEGER;
CREATE INDEX alerts_scheduled ON alerts(not_before) WHERE state = 'scheduled';

-- migration 22: a draft's attachment
-- A draft keeps one attachment as an alert does (media, migration 19):
-- saved from the compose form or POST /v1/drafts, kept through edits and
-- given to the alert its approval creates. The retention pass deletes an
-- attachment no alert and no draft names once it is a day old
-- (store/sqlite/retention.cpp); these indexes let it ask.
ALTER TABLE drafts ADD COLUMN media_id INTEGER REFERENCES media(id);
CREATE INDEX drafts_media ON drafts(media_id) WHERE media_id IS NOT NULL;
CREATE INDEX alerts_media ON alerts(media_id) WHERE media_id IS NOT NULL;

-- migration 23: the messaging limit per business portfolio
-- Since October 2025 Meta counts the messaging limit (unique people reached
-- outside their 24-hour window in a moving day) per business portfolio:
-- the numbers of one portfolio share one count, numbers of different
-- portfolios do not, and a person reached from two portfolios counts in
-- each. Written only when several numbers are configured, each with its
-- portfolio (config/numbers.hpp); contacts.last_initiated_at keeps the
-- deployment's whole count. A row older than a day counts for nothing.
CREATE TABLE portfolio_contacts (
  portfolio         TEXT NOT NULL,
  phone_hash        BLOB NOT NULL,
  last_initiated_at INTEGER NOT NULL,
  PRIMARY KEY (portfolio, phone_hash)
) WITHOUT ROWID;
CREATE INDEX portfolio_contacts_by_initiated ON portfolio_contacts(portfolio, last_initiated_at);

-- migration 24: run-time settings changed by an admin
-- A value an admin set from the console or PUT /v1/settings/{name} for one
-- of the few settings safe to change while the service runs
-- (config/runtime_settings.hpp): it stands above the environment's until
-- the admin returns to it, and is read at start-up. Each change is also in
-- audit_log (setting.change, setting.reset) with the old and new value.
CREATE TABLE setting_overrides (
  name       TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  changed_at INTEGER NOT NULL
) WITHOUT ROWID;

-- migration 25: the inbound journal
-- Citizens' messages that arrived while the database thread was busy:
-- the webhook's batch is sealed (AES-256-GCM under the data key, aad
-- 'inbound-journal:<seq>': it holds numbers, texts and shared locations)
-- and appended here in one group commit, so Meta's request is answered as
-- soon as it is durable; the database thread applies the rows in seq
-- order when no webhook waits, and deletes each in the transaction that
-- applies it (store/sqlite/inbound_journal.hpp). A row outlives a crash
-- and is applied at the next start.
CREATE TABLE inbound_journal (
  seq         INTEGER PRIMARY KEY,
  request_id  TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  sealed      BLOB NOT NULL
);
