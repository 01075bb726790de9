-- Seed data for `supabase db reset` on a local Supabase stack. Accounts are created
-- by the sign-up trigger, and billing rows only by verified webhooks, so there is
-- nothing to seed by default. Add demo content for your product here.
select 1;
