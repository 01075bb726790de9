-- A scheduled end that is not the end of the current period (a date the customer or
-- the seller picked): the subscription runs until then, and the pages say so
-- instead of "renews".
alter table public.subscriptions add column cancel_at timestamptz;
