"""Transactional email: templates, the outbox (jobs) and the senders."""
