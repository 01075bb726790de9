-- The development mailbox (`dev/mailbox.py`) now creates its own table on first use in
-- development, so production databases no longer carry it. Production never wrote to it
-- (it sends through Resend); on a development database the table comes back with the next
-- email, and only earlier development emails are lost.
drop table if exists internal.dev_mailbox;
