"""Billing: plans, the payment gateway seam, webhooks and the development checkout."""
