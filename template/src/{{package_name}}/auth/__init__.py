"""Sign-in with Supabase Auth: magic link (PKCE), session cookies, CSRF."""
