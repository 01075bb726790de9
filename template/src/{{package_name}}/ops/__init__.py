"""The owner's console at /ops: revenue, webhooks, jobs and accounts, for operators only."""
