-- Billing state mirrored from the payment gateway. Users may read their account's
-- rows; only trusted server code (service_tx) writes them.

create table public.customers (
    account_id uuid primary key references public.accounts (id) on delete cascade,
    gateway text not null,
    gateway_customer_id text not null,
    email text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (gateway, gateway_customer_id)
);

create table public.subscriptions (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references public.accounts (id) on delete cascade,
    gateway text not null,
    gateway_subscription_id text not null,
    plan text not null,
    price_id text,
    status text not null check (status in (
        'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due',
        'canceled', 'unpaid', 'paused'
    )),
    quantity integer not null default 1 check (quantity > 0),
    current_period_end timestamptz,
    cancel_at_period_end boolean not null default false,
    trial_end timestamptz,
    canceled_at timestamptz,
    -- Gateway time of the newest event applied; older events never overwrite newer state.
    source_updated_at timestamptz not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (gateway, gateway_subscription_id)
);
create index subscriptions_account_id_idx on public.subscriptions (account_id);

alter table public.customers enable row level security;
alter table public.subscriptions enable row level security;

revoke all on table public.customers, public.subscriptions from anon, authenticated;
grant select on table public.customers, public.subscriptions to authenticated;

create policy "members read their account's customer record"
    on public.customers for select to authenticated
    using ((select internal.is_account_member(account_id)));

create policy "members read their account's subscriptions"
    on public.subscriptions for select to authenticated
    using ((select internal.is_account_member(account_id)));

-- Every verified webhook, once. The unique key is how duplicates are recognised.
create table internal.webhook_events (
    id bigint generated always as identity primary key,
    gateway text not null,
    dedupe_key text not null,
    event_type text not null,
    occurred_at timestamptz not null,
    received_at timestamptz not null default now(),
    account_id uuid,
    handled boolean not null,
    payload jsonb not null,
    unique (gateway, dedupe_key)
);
