-- What a person tells the product about themselves: for now, the name pages greet
-- them by. One row per user, created the first time they save it. A table rather
-- than the user's auth metadata: the same SQL and policies on both databases, RLS
-- that lets each user read and write their own row only, and nothing copied into
-- every access token.

create table public.profiles (
    user_id uuid primary key references auth.users (id) on delete cascade,
    display_name text check (display_name is null or length(btrim(display_name)) between 1 and 100),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

alter table public.profiles enable row level security;

revoke all on table public.profiles from anon, authenticated;
grant select, insert (user_id, display_name), update (display_name, updated_at)
    on table public.profiles to authenticated;

create policy "users read their own profile"
    on public.profiles for select to authenticated
    using (user_id = (select auth.uid()));

create policy "users create their own profile"
    on public.profiles for insert to authenticated
    with check (user_id = (select auth.uid()));

create policy "users edit their own profile"
    on public.profiles for update to authenticated
    using (user_id = (select auth.uid()))
    with check (user_id = (select auth.uid()));
