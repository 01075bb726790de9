-- Emails "sent" by the console backend in development, listed at /dev/mailbox.
-- Production sends through Resend and never writes here. Private schema, RLS on,
-- no policies and no grants: only the app's own role (service_tx) reads or writes.

create table internal.dev_mailbox (
    id bigint generated always as identity primary key,
    idempotency_key text not null unique,
    template text not null,
    sender text not null,
    recipient text not null,
    subject text not null,
    html text not null,
    text text not null,
    created_at timestamptz not null default now()
);
create index dev_mailbox_created_at_idx on internal.dev_mailbox (created_at desc);

alter table internal.dev_mailbox enable row level security;
revoke all on table internal.dev_mailbox from public, anon, authenticated;
