"""Signpost's own files (style, icons, name pools, plans, the OpenAPI document), read only through
``app.resources`` (importlib.resources), so a source checkout, a wheel and the frozen bundle agree."""
