-- Webhook deliveries that failed. A failing delivery rolls its transaction back, so the
-- webhook log keeps no trace of it; this table does, for the console: written in a
-- transaction of its own after the rollback, one row per event (a retry that fails again
-- counts an attempt), and marked resolved by the transaction that finally logs the event.
-- Private schema, RLS on, no policies and no grants: only the app's own role reads it.

create table internal.webhook_failures (
    id bigint generated always as identity primary key,
    gateway text not null,
    -- The event's dedupe key; for a signed body that could not be read, its sha256 digest.
    dedupe_key text not null,
    -- Null when the body could not be read.
    event_type text,
    -- The verified payload as the gateway sent it (for an unreadable body: its JSON if it
    -- parses, else its text), so the console can replay it.
    payload jsonb not null,
    error_class text not null,
    error_message text not null,
    attempts integer not null default 1,
    first_failed_at timestamptz not null default now(),
    last_failed_at timestamptz not null default now(),
    resolved_at timestamptz,
    unique (gateway, dedupe_key)
);
create index webhook_failures_unresolved_idx on internal.webhook_failures (last_failed_at desc)
    where resolved_at is null;

alter table internal.webhook_failures enable row level security;
revoke all on table internal.webhook_failures from public, anon, authenticated;

-- The event is logged only by a transaction that applies it (or ignores it on purpose):
-- that same transaction resolves its failure, whichever path logged it (a delivery, the
-- console's replay of the failure).
create function internal.resolve_webhook_failure() returns trigger
    language plpgsql
    set search_path = ''
as $$
begin
    update internal.webhook_failures set resolved_at = now()
    where gateway = new.gateway and dedupe_key = new.dedupe_key and resolved_at is null;
    return null;
end;
$$;
revoke all on function internal.resolve_webhook_failure() from public;

create trigger webhook_events_resolve_failure
    after insert on internal.webhook_events
    for each row execute function internal.resolve_webhook_failure();
