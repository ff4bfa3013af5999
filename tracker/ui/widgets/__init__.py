"""Drawing pieces the pages share: Altair charts (``charts``), the governance diagram
(``diagram``) and form fields that never drop what a person typed (``fields``)."""
