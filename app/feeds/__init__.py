"""Data supply (issue 17): one-way feeds from schools, GP practices, the registration service, case-management
systems and eCAF, up to the point where a batch would write to the directory.

- ``sources`` / ``envelope``: who may send what, and the signed batch a source sends (Ed25519).
- ``formats`` / ``fields`` / ``csv_format`` / ``fhir_format`` / ``intake``: the documented CSV per kind and
  HL7 FHIR R4 Bundles, each row validated against one schema; bad rows rejected with reasons (R-REC-5).
- ``matching``: each incoming person -> an existing child, a new child, the LA's review queue, or held in
  quarantine beside a shielded child (R-SHIELD-1/4/5), never linking twins or siblings.
- ``report``: the answer to a source (counts and rejections only) and the LA team's own outcome.
- ``synthetic``: labelled feeds with realistic errors, drawn from a directory (benchmark, training samples).

Writing (merging with provenance, unmerge, births and deaths, involvements) comes with the store seam.
"""
