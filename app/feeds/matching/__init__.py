"""Matching incoming people to the directory's children (issue 17 items 3-4): ``matcher.Matcher`` over a
read-only ``facts.DirectoryFacts``, with the Fellegi-Sunter weights in ``model`` and the rules that keep
twins and siblings apart in ``rules``."""
