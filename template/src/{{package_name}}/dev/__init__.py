"""Development only: the checkout simulator, the dev mailbox and the embedded database.

Production never imports this package: the app mounts its routes only in development
(or with the checkout simulator on), and the tests check that a production app leaves
it unimported.
"""
