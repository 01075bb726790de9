-- Accounts and memberships. Every user gets a personal account on sign-up.
-- Policies call auth.uid(); RLS, not application WHERE clauses, isolates tenants.

create schema if not exists internal;
revoke all on schema internal from public;

create table public.accounts (
    id uuid primary key default gen_random_uuid(),
    name text not null check (length(name) between 1 and 200),
    personal boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create table public.account_members (
    account_id uuid not null references public.accounts (id) on delete cascade,
    user_id uuid not null references auth.users (id) on delete cascade,
    role text not null default 'member' check (role in ('owner', 'admin', 'member')),
    created_at timestamptz not null default now(),
    primary key (account_id, user_id)
);
create index account_members_user_id_idx on public.account_members (user_id);

alter table public.accounts enable row level security;
alter table public.account_members enable row level security;

-- Membership checks live in a schema the Data API does not expose, and run as the
-- table owner so a policy on account_members can consult account_members.
create function internal.is_account_member(target_account uuid, roles text[] default null)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select exists (
        select 1
        from public.account_members m
        where m.account_id = target_account
          and m.user_id = (select auth.uid())
          and (roles is null or m.role = any (roles))
    )
$$;
revoke all on function internal.is_account_member(uuid, text[]) from public;
grant usage on schema internal to authenticated;
grant execute on function internal.is_account_member(uuid, text[]) to authenticated;

revoke all on table public.accounts, public.account_members from anon, authenticated;
grant select, update (name, updated_at) on table public.accounts to authenticated;
grant select on table public.account_members to authenticated;

create policy "members read their accounts"
    on public.accounts for select to authenticated
    using ((select internal.is_account_member(id)));

create policy "owners rename their accounts"
    on public.accounts for update to authenticated
    using ((select internal.is_account_member(id, array['owner'])))
    with check ((select internal.is_account_member(id, array['owner'])));

create policy "members see who shares their accounts"
    on public.account_members for select to authenticated
    using ((select internal.is_account_member(account_id)));

-- Provision a personal account, owned by the new user, when auth.users gains a row.
create function internal.provision_personal_account()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    new_account_id uuid;
begin
    insert into public.accounts (name, personal)
    values (coalesce(nullif(new.raw_user_meta_data ->> 'full_name', ''), split_part(new.email, '@', 1), 'Personal'), true)
    returning id into new_account_id;

    insert into public.account_members (account_id, user_id, role)
    values (new_account_id, new.id, 'owner');
    return new;
end
$$;
revoke all on function internal.provision_personal_account() from public;

create trigger on_auth_user_created
    after insert on auth.users
    for each row execute function internal.provision_personal_account();
