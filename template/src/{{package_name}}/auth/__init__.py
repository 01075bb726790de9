"""Sign-in: email links, the session cookie, CSRF protection and the signed-in user."""
