"""PKCS#11 security tokens (rule R-ROLE-4: access needs a token and its PIN).

Modules:
  service    TokenService: the one thread that owns every PKCS#11 call
  errors     TokenError: what went wrong, in words a user can act on
  info       TokenInfo / TokenEvent / PublicKeys value types
  signin     pure sign-in and cache-key wrapping helpers (cryptography only)
  keys       key generation and use on a logged-in session
  provision  SoftHSM training tokens and enrolment of real tokens
  module     locating the PKCS#11 module (and SoftHSM's token directory)

Nothing is imported here so that ``app.token.signin`` stays dependency-light
(the directory imports it without python-pkcs11).  Nothing here imports Qt.
"""
