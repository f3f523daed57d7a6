"""The directory at work (issue 8): what practitioners, mediating users and LA teams do besides search.

``operations`` is the table of every work operation; ``types`` the objects they
take and give; one module per kind of work holds the engine functions
(``involvements``, ``notices``, ``shields``, ``contact``, ``la_users``,
``accounts``, ``register``, ``usage``, ``retention``, ``tokens``), each called
as ``fn(directory, viewer, request)`` on the engine's thread by
``Directory.perform``. ``checks`` bounds
what a client sends before anything is stored.
"""
