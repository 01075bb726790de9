"""Accounts: every user owns a personal account, provisioned on sign-up."""
