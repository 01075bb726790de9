-- The part of Supabase that the migrations rely on, for a plain PostgreSQL used in
-- development and tests. Never applied to a real Supabase project (it has all of this).
-- Run as a superuser, once per database; safe to run again.

do $$
begin
    if not exists (select from pg_roles where rolname = 'anon') then
        create role anon nologin noinherit;
    end if;
    if not exists (select from pg_roles where rolname = 'authenticated') then
        create role authenticated nologin noinherit;
    end if;
    if not exists (select from pg_roles where rolname = 'service_role') then
        create role service_role nologin noinherit bypassrls;
    end if;
    -- Stands in for Supabase's `postgres` role: owns the app's objects, bypasses RLS,
    -- and is not a superuser, so migrations that need superuser rights fail here too.
    if not exists (select from pg_roles where rolname = 'app_owner') then
        create role app_owner login bypassrls;
    end if;
end
$$;

grant anon, authenticated, service_role to app_owner;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role, app_owner;

create table if not exists auth.users (
    id uuid primary key default gen_random_uuid(),
    aud varchar(255) default 'authenticated',
    role varchar(255) default 'authenticated',
    email varchar(255),
    email_confirmed_at timestamptz,
    last_sign_in_at timestamptz,
    raw_app_meta_data jsonb default '{}'::jsonb,
    raw_user_meta_data jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create unique index if not exists users_email_key on auth.users (email);
grant select, insert, update, delete, references, trigger on auth.users to app_owner;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
    select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$$;

create or replace function auth.uid() returns uuid
language sql stable
as $$
    select nullif(auth.jwt() ->> 'sub', '')::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
    select nullif(auth.jwt() ->> 'role', '')::text
$$;

grant execute on all functions in schema auth to anon, authenticated, service_role, app_owner;
